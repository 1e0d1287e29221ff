using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Problems;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Clients (the web app, the CLI) read and write the API through the Contracts records with
/// <see cref="ContractJson.Options"/>: what the server sends must come back unchanged through them.
/// </summary>
public sealed class ContractJsonTests : IDisposable
{
    private readonly HubApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AnswersRoundTripThroughTheContractsRecordsUnchanged()
    {
        var client = _app.ClientFor("ada", "admin");
        await client.PostAsJsonAsync("/api/models", new ModelRequest("round-trip", ModelType.Custom, "A model", null, ["tag"], ModelFramework.Onnx,
            null, null, null, null, null, null, null), ContractJson.RequestOptions).ExpectAsync(HttpStatusCode.Created);

        await AssertRoundTripAsync<ModelDto>(client, "/api/models/round-trip");
        await AssertRoundTripAsync<ModelListResponse>(client, "/api/models?pageSize=5");
        await AssertRoundTripAsync<ModelStatsResponse>(client, "/api/models/stats");
    }

    [Fact]
    public void EnumsAreLowercaseNamesAndNullFieldsAreWritten()
    {
        var json = JsonSerializer.SerializeToNode(new ModelSummaryDto("m", ModelType.Llm, "", [], ModelFramework.Pytorch, ModelSource.Upload,
            ModelVisibility.Public, ModelTier.Standard, "ada", ModelStatus.Active, null, false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0, null),
            ContractJson.Options)!.AsObject();
        Assert.Equal("llm", json["type"]!.GetValue<string>());
        Assert.True(json.ContainsKey("expiresAt"));
        Assert.True(json.ContainsKey("etag"));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ModelSummaryDto>("""{"type": 0}""", ContractJson.Options));
        Assert.False(JsonSerializer.SerializeToNode(new ModelRequest("m", ModelType.Llm, null, null, null, null, null, null, null, null, null, null, null),
            ContractJson.RequestOptions)!.AsObject().ContainsKey("visibility"));
    }

    [Fact]
    public async Task ProblemAnswersReadAsProblemResponseNamingTheField()
    {
        var response = await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/models", new { name = "bad name!", type = "custom" }, ContractJson.Options);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemResponse>(ContractJson.Options);
        Assert.Equal(400, problem!.Status);
        Assert.Contains("name", problem.Errors!.Keys);
        Assert.NotNull(problem.TraceId);
    }

    private static async Task AssertRoundTripAsync<T>(HttpClient client, string url)
    {
        var sent = JsonNode.Parse(await (await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());
        var read = JsonSerializer.Deserialize<T>(sent!.ToJsonString(), ContractJson.Options);
        var again = JsonSerializer.SerializeToNode(read, ContractJson.Options);
        Assert.True(JsonNode.DeepEquals(sent, again), $"{url}\nsent:  {sent.ToJsonString()}\nagain: {again?.ToJsonString()}");
    }
}
