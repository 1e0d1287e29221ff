using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class UploadTests(JourneyHub journeys) : JourneyTest(journeys), IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}", "llama-3-8b.zip");

    [Fact]
    public async Task A20MegabyteUploadInterruptedByAReloadResumesAndFinishes()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var bytes = new byte[20 * 1024 * 1024];
        new Random(17).NextBytes(bytes);
        await File.WriteAllBytesAsync(_file, bytes);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using (var carol = await Hub.ClientForAsync("carol", "user"))
        {
            await carol.PostAsJsonAsync("/api/models", Samples.Model("carols-upload", type: "custom", withSpec: false), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        var page = await Hub.OpenAsync("/models/carols-upload/upload", new Visitor("carol"));

        // The first six chunks reach the hub; the rest hang, as on a connection that died.
        var sent = 0;
        await page.RouteAsync("**/api/blobs/**", async route =>
        {
            if (Interlocked.Increment(ref sent) <= 6)
            {
                await route.ContinueAsync();
            }
        });
        await Ui.FillAsync(page, "[data-testid=version-label]", "v1");
        await Ui.FillAsync(page, "#version-notes", "Meta base model");
        await page.Locator("input[type=file]").SetInputFilesAsync(_file);
        await Ui.EventuallyAsync(async () => await ReceivedChunksAsync() >= 6, "six chunks at the hub");
        Assert.InRange(await ReceivedChunksAsync(), 6, 6);

        // The reload ends the held chunk requests, as closing the tab would; then the connection is back.
        await page.ReloadAsync();
        await page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.IgnoreErrors });
        await WebHub.AppReadyAsync(page);
        var atTheHub = await ReceivedChunksAsync();
        Assert.InRange(atTheHub, 6, 19);
        var unfinished = page.Locator("[data-testid=unfinished-uploads]");
        await unfinished.WaitForAsync();
        Assert.Contains("llama-3-8b.zip", await unfinished.InnerTextAsync());
        var resent = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PUT" && request.Url.Contains("/api/blobs/", StringComparison.Ordinal)) lock (resent) resent.Add(request.Url);
        };
        await page.Locator("input[type=file]").SetInputFilesAsync(_file);

        await page.GetByText("Upload complete").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        // Only the chunks the hub lacked were sent again.
        Assert.Equal(20 - atTheHub, resent.Count);
        Assert.Contains(sha256[..12], await page.Locator("[data-testid=upload-state]").InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "See the versions" }).ClickAsync();
        var versions = page.Locator("[data-testid=versions-grid]");
        await versions.WaitForAsync();
        await Ui.EventuallyAsync(async () => (await versions.InnerTextAsync()).Contains("Ready", StringComparison.Ordinal), "version v1 ready");
        Assert.Contains(sha256[..12], await versions.InnerHTMLAsync());
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();

        async Task<int> ReceivedChunksAsync()
        {
            using var carol = await Hub.ClientForAsync("carol", "user");
            var uploads = await carol.GetFromJsonAsync<JsonElement>("/api/models/carols-upload/uploads");
            return uploads.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("chunksReceived").GetInt32()).DefaultIfEmpty(0).Max();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true); } catch (IOException) { }
    }
}
