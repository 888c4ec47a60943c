namespace TokenTelemetry.Configuration;

/// <summary>
/// The model patterns of pricing.discounts: * matches any run of characters, ? one character, everything else itself,
/// case-insensitively. <see cref="Intersects"/> says whether some model id could match two patterns at once — how
/// overlapping discounts are told apart from neighbouring ones without guessing model names.
/// </summary>
public static class ModelGlob
{
    public static bool Matches(string pattern, string text) => Walk(pattern, 0, text, 0, new Dictionary<(int, int), bool>(), literal: true);

    /// <summary>True when one string matches both patterns.</summary>
    public static bool Intersects(string a, string b) => Walk(a, 0, b, 0, new Dictionary<(int, int), bool>(), literal: false);

    // One walk serves both questions: with literal set, b is a plain string (its * and ? are characters).
    private static bool Walk(string a, int i, string b, int j, Dictionary<(int, int), bool> memo, bool literal)
    {
        if (memo.TryGetValue((i, j), out var known)) return known;
        bool result;
        if (i == a.Length && j == b.Length) result = true;
        else if (i < a.Length && a[i] == '*' && Walk(a, i + 1, b, j, memo, literal)) result = true;
        else if (!literal && j < b.Length && b[j] == '*' && Walk(a, i, b, j + 1, memo, literal)) result = true;
        else if (i < a.Length && j < b.Length)
        {
            var starA = a[i] == '*';
            var starB = !literal && b[j] == '*';
            result = starA && !starB ? Walk(a, i, b, j + 1, memo, literal)
                : starB && !starA ? Walk(a, i + 1, b, j, memo, literal)
                : !starA && !starB && Compatible(a[i], b[j], literal) && Walk(a, i + 1, b, j + 1, memo, literal);
        }
        else result = false;
        memo[(i, j)] = result;
        return result;
    }

    private static bool Compatible(char a, char b, bool literal) =>
        a == '?' || (!literal && b == '?') || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);
}
