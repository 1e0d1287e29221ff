using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>Datasets for tests: create one, upload a version's file through the upload protocol, wait for its validation.</summary>
public static class DatasetTesting
{
    public static async Task<JsonElement> CreateAsync(HttpClient client, string name, string format = "jsonl-chat", string visibility = "private") =>
        await (await client.PostAsJsonAsync("/api/datasets", new { name, format, visibility }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();

    public static string Chat(string user, string assistant) =>
        $$"""{"messages":[{"role":"user","content":"{{user}}"},{"role":"assistant","content":"{{assistant}}"}]}""";

    public static byte[] ChatFile(int records) =>
        Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(1, records).Select(i => Chat($"question {i}", $"answer {i}"))) + "\n");

    /// <summary>Uploads the file as a version (completing it) and waits until its validation ends; returns the version.</summary>
    public static async Task<JsonElement> UploadAndValidateAsync(HttpClient client, string dataset, string? label, string fileName, byte[] content)
    {
        var completion = await Uploads.UploadVersionAtAsync(client, $"/api/datasets/{dataset}", label, fileName, content);
        var created = completion.GetProperty("version").GetProperty("label").GetString()!;
        return await WaitForValidationAsync(client, dataset, created);
    }

    /// <summary>
    /// The dataset once <paramref name="done"/> holds: what it shows of its versions is written just after
    /// the version it comes from, so it may lag a version that was just read.
    /// </summary>
    public static async Task<JsonElement> WaitForDatasetAsync(HttpClient client, string dataset, Func<JsonElement, bool> done, string what) =>
        (JsonElement)await GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var found = await Uploads.GetAsync(client, $"/api/datasets/{dataset}");
            return done(found) ? found : null;
        }, $"dataset {dataset} to show {what}", TimeSpan.FromSeconds(30));

    /// <summary>The version once it is no longer validating (an awaited condition, with a deadline).</summary>
    public static async Task<JsonElement> WaitForValidationAsync(HttpClient client, string dataset, string label) =>
        (JsonElement)await GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var version = await Uploads.GetAsync(client, $"/api/datasets/{dataset}/versions/{label}");
            return version.GetProperty("status").GetString() is "uploading" or "validating" ? null : version;
        }, $"the validation of {dataset} {label}", TimeSpan.FromSeconds(60));
}
