// Next.js App Router route for token-telemetry instance "example": app/api/token-usage/route.ts
// GET /api/token-usage?from=ISO&to=ISO&source=…&provider=…&group=provider|source|model|day
// Reads through the read-only role (DATABASE_URL of the Grafana reader, never the collector's). Parameterised SQL;
// the schema name is fixed at render time and quoted. NULL sums stay null (not reported), never 0.
import { NextRequest, NextResponse } from "next/server";
import { Pool } from "pg";

const pool = new Pool({ connectionString: process.env.TOKEN_TELEMETRY_DATABASE_URL });
const TABLE = '"telemetry".token_usage';
const GROUPS: Record<string, string> = {
  provider: "provider",
  source: "source_system",
  model: "model_id",
  day: "to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

// The SQL of a whitelisted group, or undefined. Own keys only: `in` would also accept inherited names such as
// "constructor" or "__proto__" and put a function's text into the SQL (a 500 instead of a 400).
function groupColumn(group: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(GROUPS, group) ? GROUPS[group] : undefined;
}

export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const group = params.get("group") ?? "provider";
  const column = groupColumn(group);
  if (column === undefined) return NextResponse.json({ error: `group must be one of ${Object.keys(GROUPS).join(", ")}` }, { status: 400 });
  const to = params.get("to") ? new Date(params.get("to")!) : new Date();
  const from = params.get("from") ? new Date(params.get("from")!) : new Date(to.getTime() - 7 * 86400_000);
  if (isNaN(from.getTime()) || isNaN(to.getTime())) return NextResponse.json({ error: "from and to must be ISO 8601 times" }, { status: 400 });
  const sql = `
    SELECT ${column} AS key,
           sum(input_tokens)::text AS input_tokens, sum(cached_read_tokens)::text AS cached_read_tokens,
           sum(output_tokens)::text AS output_tokens, sum(reasoning_tokens)::text AS reasoning_tokens,
           sum(cost_usd)::text AS cost_usd, bool_or(measurement_basis = 'derived_estimate') AS estimated
    FROM ${TABLE}
    WHERE window_start >= $1::timestamptz AND window_start < $2::timestamptz
      AND ($3::text IS NULL OR source_system = $3) AND ($4::text IS NULL OR provider = $4)
    GROUP BY 1 ORDER BY 1`;
  const result = await pool.query(sql, [from.toISOString(), to.toISOString(), params.get("source"), params.get("provider")]);
  // Big integers and decimals travel as strings; null stays null.
  return NextResponse.json({ from: from.toISOString(), to: to.toISOString(), group, rows: result.rows });
}
