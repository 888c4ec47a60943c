namespace TokenTelemetry.Verification;

/// <summary>
/// The `subscription_periods_sum_to_price` check: subscription rows are day rows naming their billing period
/// (raw_usage period_start, period_end, period_days, period_usd), and a period's stored days sum to its price —
/// exactly once all of its days are stored, never more while it runs — and are all stored once it has ended.
/// </summary>
public static class SubscriptionPeriods
{
    public const string Hint =
        "collect rewrites every period of a plan from its start as days at the configured price: for a plan without a start " +
        "(month rows of an earlier version, a changed billing_day, last days missed while the collector was stopped), " +
        "set the plan's start to its first day and run collect; rows edited by hand are rewritten the same way";

    /// <summary>The offending periods (and rows that name none); <c>@now</c> decides which periods have ended. Periods that
    /// start before <c>@horizon</c> (the retention horizon, or NULL) lost days to retention by design and are not judged.</summary>
    public static string Sql(string quotedSchema) => $"""
        WITH rows AS (
            SELECT model_id, user_id, project_id, window_start, window_end, granularity::text AS granularity, cost_usd, raw_usage,
                   coalesce(granularity = 'day' AND jsonb_typeof(raw_usage -> 'period_days') = 'number'
                       AND jsonb_typeof(raw_usage -> 'period_usd') = 'number'
                       AND raw_usage ->> 'period_start' ~ '^\d\d\d\d-\d\d-\d\d$' AND raw_usage ->> 'period_end' ~ '^\d\d\d\d-\d\d-\d\d$', false) AS named
            FROM {quotedSchema}.token_usage WHERE source_system = 'subscriptions'),
        periods AS (
            SELECT model_id, user_id, project_id,
                   (raw_usage ->> 'period_start')::date::timestamp AT TIME ZONE 'UTC' AS period_start,
                   (raw_usage ->> 'period_end')::date::timestamp AT TIME ZONE 'UTC' AS period_end,
                   (raw_usage ->> 'period_days')::int AS period_days, (raw_usage ->> 'period_usd')::numeric AS period_usd,
                   count(*) AS days, sum(cost_usd) AS stored_usd
            FROM rows WHERE named GROUP BY 1, 2, 3, 4, 5, 6, 7)
        SELECT * FROM (
            SELECT model_id, user_id, project_id, period_start, period_end, days, period_days, stored_usd, period_usd,
                   CASE WHEN days > period_days THEN format('%s day rows name a period of %s days', days, period_days)
                        WHEN days = period_days AND stored_usd IS DISTINCT FROM period_usd
                            THEN format('its days sum to %s, not the period''s price %s', stored_usd, period_usd)
                        WHEN days < period_days AND period_end <= @now THEN format('the period has ended with %s of its %s days stored', days, period_days)
                        WHEN stored_usd > period_usd THEN format('its days so far sum to %s, more than the period''s price %s', stored_usd, period_usd)
                   END AS problem
            FROM periods
            UNION ALL
            SELECT model_id, user_id, project_id, window_start, window_end, NULL, NULL, cost_usd, NULL,
                   CASE WHEN granularity = 'month' THEN 'stored as one month row by an earlier version: a date range shows none or all of it'
                        ELSE 'a row that names no billing period in raw_usage (period_start, period_end, period_days, period_usd)' END
            FROM rows WHERE NOT named) AS checked
        WHERE problem IS NOT NULL AND (@horizon::timestamptz IS NULL OR period_start >= @horizon)
        ORDER BY model_id, user_id, project_id, period_start
        """;
}
