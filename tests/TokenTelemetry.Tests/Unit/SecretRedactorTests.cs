using System.Text;
using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

public sealed class SecretRedactorTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["TT_PG_PASSWORD"] = "pg-pass-4821",
        ["PROM_USER"] = "scraper",
        ["PROM_PASSWORD"] = "prom/pass+77",
        ["PROM_TOKEN"] = "prom-bearer-5150",
        ["OPENAI_ADMIN_KEY"] = "sk-admin-openai-0042",
        ["ANTHROPIC_ADMIN_KEY"] = "sk-ant-admin01-0099",
        ["GITHUB_TOKEN"] = "ghp_copilot0077",
        ["GRAFANA_TOKEN"] = "glsa_grafana_0013",
        ["READER"] = "reader-pw-3141",
        ["PRICES_PASSWORD"] = "prices-pw-2718",
        ["SHORT"] = "abc",
    };

    private static SecretRedactor Redactor() => SecretRedactor.For(ConfigLoader.Parse("""
        postgres:
          host: db
          password: ${TT_PG_PASSWORD}
        sources:
          litellm:
            enabled: true
            base_url: http://prometheus:9090
            username: ${PROM_USER}
            password: ${PROM_PASSWORD}
            bearer_token: ${PROM_TOKEN}
          openai:
            enabled: true
            admin_key: ${OPENAI_ADMIN_KEY}
          anthropic:
            enabled: false
            admin_key: ${ANTHROPIC_ADMIN_KEY}
          copilot:
            enabled: true
            organization: acme
            token: ${GITHUB_TOKEN}
        pricing:
          source: url
          url: https://prices:${PRICES_PASSWORD}@prices.example/table.json
        grafana:
          url: http://grafana:3000
          token: ${GRAFANA_TOKEN}
          reader_role: tt_reader
          reader_password: ${READER}
        watchdog:
          paused:
            copilot: ${SHORT}
        """, "config.yaml", "", name => Environment.GetValueOrDefault(name)).Config);

    [Fact]
    public void Every_configured_credential_is_masked_in_any_text_and_other_text_is_kept()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("scraper:prom/pass+77"));
        var text = $"pg pg-pass-4821; prom prom/pass+77 or {Uri.EscapeDataString("prom/pass+77")}; Basic {basic}; Bearer prom-bearer-5150; "
            + "openai sk-admin-openai-0042; anthropic (disabled) sk-ant-admin01-0099; github ghp_copilot0077; grafana glsa_grafana_0013; "
            + "reader reader-pw-3141; prices prices-pw-2718; user scraper, host db, short abc";

        Redactor().Redact(text).ShouldBe("pg [redacted]; prom [redacted] or [redacted]; Basic [redacted]; Bearer [redacted]; "
            + "openai [redacted]; anthropic (disabled) [redacted]; github [redacted]; grafana [redacted]; "
            + "reader [redacted]; prices [redacted]; user scraper, host db, short abc");
    }

    [Fact]
    public void A_secret_inside_a_longer_one_does_not_split_it_and_added_secrets_count_too()
    {
        var redactor = SecretRedactor.None.With("token-1234", "token-1234-extended").With("env-only-password", null, "");
        redactor.Redact("a token-1234-extended b token-1234 c env-only-password").ShouldBe("a [redacted] b [redacted] c [redacted]");
        SecretRedactor.None.Redact("nothing to hide").ShouldBe("nothing to hide");
        SecretRedactor.None.With("xyz").Redact("xyz is shorter than 4 characters").ShouldBe("xyz is shorter than 4 characters");
    }

    [Theory]
    [InlineData("http://user:pw-1234@127.0.0.1:9090/api", "http://127.0.0.1:9090/api")]
    [InlineData("https://token@host/x", "https://host/x")]
    [InlineData("GET http://a:b@h/p failed; see http://h2/q", "GET http://h/p failed; see http://h2/q")]
    [InlineData("no url here", "no url here")]
    public void Urls_are_shown_without_user_and_password(string text, string shown) =>
        SecretRedactor.WithoutCredentials(text).ShouldBe(shown);
}
