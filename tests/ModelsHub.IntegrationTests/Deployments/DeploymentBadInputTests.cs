using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>Deployment requests the hub refuses: each bad field named in one problem, nothing created, nothing sent to the server.</summary>
public sealed class DeploymentBadInputTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await DeploymentHub.StartAsync();
        await RegisterServerAsync(_hub.Admin, "bad-input", _hub.Xinference.AddCluster("bad-input"));
        await CreateModelAsync(_hub.Admin, ChatModel("valid-chat", "public"));
        await CreateModelAsync(_hub.Admin, Samples.Model("custom-thing", type: "custom", withSpec: false));
        await CreateModelAsync(_hub.Admin, Samples.Model("draft-chat", withSpec: false));
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private async Task<string[]> FieldsAsync(object body)
    {
        var response = await _hub.Admin.PostAsJsonAsync("/api/deployments", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToArray();
    }

    [Fact]
    public async Task EachBadFieldIsNamedAndNothingIsDeployed()
    {
        Assert.Equal(["model", "server"], await FieldsAsync(new { }));
        Assert.Equal(["color"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", color = "red" }));
        Assert.Equal(["model"], await FieldsAsync(new { model = "no-such-model", server = "bad-input" }));
        Assert.Equal(["server"], await FieldsAsync(new { model = "valid-chat", server = "no-such-server" }));
        Assert.Equal(["model"], await FieldsAsync(new { model = "custom-thing", server = "bad-input" }));
        Assert.Equal(["model"], await FieldsAsync(new { model = "draft-chat", server = "bad-input" }));
        Assert.Equal(["version"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", version = "v9" }));
        Assert.Equal(["format"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", format = "awq" }));
        Assert.Equal(["sizeInBillions"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", sizeInBillions = 70 }));
        Assert.Equal(["sizeInBillions"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", sizeInBillions = new[] { 7 } }));
        Assert.Equal(["quantization"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", format = "ggufv2", quantization = "Q2_K" }));
        Assert.Equal(["gpus", "replicas"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", replicas = 0, gpus = "all" }));
        Assert.Equal(["replicas"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", replicas = 1.5 }));
        Assert.Equal(["parameters.model_uid", "parameters.n_gpu"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", parameters = new Dictionary<string, object> { ["model_uid"] = "mine", ["n_gpu"] = 2 } }));
        Assert.Equal(["parameters"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", parameters = new[] { 1 } }));
        Assert.Equal(["env.1BAD", "env.GOOD_BUT_NUMBER"], await FieldsAsync(new { model = "valid-chat", server = "bad-input",
            env = new Dictionary<string, object> { ["1BAD"] = "x", ["GOOD_BUT_NUMBER"] = 5 } }));
        Assert.Equal(["inputFormat"], await FieldsAsync(new { model = "valid-chat", server = "bad-input", inputFormat = new string('x', 300) }));

        var broken = await _hub.Admin.PostAsync("/api/deployments", new StringContent("{\"model\":", Encoding.UTF8, "application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await broken.JsonAsync()).GetProperty("errors").TryGetProperty("body", out _));
        await _hub.Admin.PostAsync("/api/deployments", new StringContent("model=x", Encoding.UTF8, "text/plain")).ExpectAsync(HttpStatusCode.UnsupportedMediaType);

        var listed = await (await _hub.Admin.GetAsync("/api/deployments").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Empty(listed.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(_hub.Xinference.Requests, r => r.Cluster == "bad-input" && r.Method != "GET");
    }

    [Fact]
    public async Task ActionsOnMissingDeploymentsAndBadQueriesAreProblems()
    {
        await _hub.Admin.GetAsync("/api/deployments/nothing-here").ExpectAsync(HttpStatusCode.NotFound);
        await _hub.Admin.PostAsync("/api/deployments/nothing-here/stop", null).ExpectAsync(HttpStatusCode.NotFound);
        await _hub.Admin.DeleteAsync("/api/deployments/nothing-here").ExpectAsync(HttpStatusCode.NotFound);
        var id = await DeployAsync(_hub.Admin, new { model = "valid-chat", server = "bad-input" });
        var force = await (await _hub.Admin.DeleteAsync($"/api/deployments/{id}?force=maybe").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(force.GetProperty("errors").TryGetProperty("force", out _));
        var metrics = await (await _hub.Admin.GetAsync($"/api/deployments/{id}/metrics?to=soon").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(metrics.GetProperty("errors").TryGetProperty("to", out _));
        var token = await (await _hub.Admin.GetAsync("/api/deployments?continuationToken=garbage").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(token.GetProperty("errors").TryGetProperty("continuationToken", out _));
        // Forgetting it at once, without touching the server.
        await StateAsync(_hub.Admin, id, "running");
        await _hub.Admin.DeleteAsync($"/api/deployments/{id}?force=true").ExpectAsync(HttpStatusCode.NoContent);
        await _hub.Admin.GetAsync($"/api/deployments/{id}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal([id], _hub.Xinference.Cluster("bad-input").Running);
    }
}
