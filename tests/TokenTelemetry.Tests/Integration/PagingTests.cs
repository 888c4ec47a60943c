using Shouldly;
using TokenTelemetry.Http;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>Cursor paging (OpenAI, Anthropic) against a real server on 127.0.0.1: a cursor that comes back is an error
/// after the request that repeated it, not 10,000 requests.</summary>
public sealed class PagingTests
{
    private static readonly HttpOptions Fast = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(10) };

    private static FixtureHttpServer Server(Func<string?, string?> next) => new(c =>
    {
        var page = c.Request.QueryString["page"];
        var following = next(page);
        var item = page ?? "first";
        return FixtureHttpServer.Respond(c, 200,
            $$"""{"data":[{"page":"{{item}}"}],"has_more":{{(following is null ? "false" : "true")}},"next_page":{{(following is null ? "null" : $"\"{following}\"")}}}""");
    });

    private static async Task<List<System.Text.Json.JsonElement>> FetchAsync(FixtureHttpServer server)
    {
        using var http = new SourceHttp(Fast, "the key", _ => { });
        return await Paging.AllDataAsync(http, page => $"{server.BaseUrl}v1/usage?limit=1{(page is null ? "" : $"&page={page}")}", CancellationToken.None);
    }

    [Fact]
    public async Task Pages_are_followed_to_the_last()
    {
        using var server = Server(page => page switch { null => "p2", "p2" => "p3", _ => null });
        var items = await FetchAsync(server);
        items.Select(i => i.GetProperty("page").GetString()).ShouldBe(["first", "p2", "p3"]);
        server.Requests.ShouldBe(3);
    }

    [Fact]
    public async Task A_cursor_that_does_not_advance_fails_after_two_requests()
    {
        using var server = Server(_ => "same");
        var error = await Should.ThrowAsync<SourceException>(() => FetchAsync(server));
        error.Message.ShouldBe($"{server.BaseUrl}v1/usage returned the paging cursor 'same' a second time (after 2 pages): the API loops instead of advancing; this range fails and is retried next cycle");
        server.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task A_cursor_cycle_fails_when_it_comes_round()
    {
        using var server = Server(page => page switch { null => "a", "a" => "b", "b" => "c", _ => "a" });
        var error = await Should.ThrowAsync<SourceException>(() => FetchAsync(server));
        error.Message.ShouldStartWith($"{server.BaseUrl}v1/usage returned the paging cursor 'a' a second time (after 4 pages)");
        server.Requests.ShouldBe(4);
    }
}
