using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class PermissionTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task AnAdministratorGrantsAndRevokesAPermission()
    {
        using var ursulaApi = await Hub.ClientForAsync("ursula", "user");
        (await ursulaApi.GetAsync("/api/me")).EnsureSuccessStatusCode();
        var ursula = await Hub.OpenAsync("/admin/users", new Visitor("ursula"));
        // Not an administrator: the page says which permission that takes.
        await ursula.GetByText("users.administer").First.WaitForAsync();

        var admin = await Hub.OpenAsync("/admin/users", new Visitor("ada", ["admin"]));
        await admin.Locator("[data-testid=users-grid] a", new PageLocatorOptions { HasTextString = "ursula" }).ClickAsync();
        var toggle = admin.Locator("fluent-switch[data-permission='reviews.list']");
        await toggle.WaitForAsync();
        await toggle.ClickAsync();
        await Ui.EventuallyAsync(async () => (await EffectiveAsync()).Contains("reviews.list"), "reviews.list granted");
        await admin.GetByText("Granted by an administrator").WaitForAsync();

        await ursula.ReloadAsync();
        await WebHub.AppReadyAsync(ursula);
        await ursula.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Review queue" }).WaitForAsync();

        await toggle.ClickAsync();
        await Ui.EventuallyAsync(async () => !(await EffectiveAsync()).Contains("reviews.list"), "reviews.list revoked");
        await admin.GetByText("Revoked by an administrator").WaitForAsync();
        await ursula.ReloadAsync();
        await WebHub.AppReadyAsync(ursula);
        await ursula.Locator(".user-menu").WaitForAsync();
        Assert.Equal(0, await ursula.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Review queue" }).CountAsync());
        await WebHub.AssertHealthyAsync(admin);
        await admin.Context.CloseAsync();
        await ursula.Context.CloseAsync();

        async Task<List<string>> EffectiveAsync()
        {
            using var ada = await Hub.ClientForAsync("ada", "admin");
            var user = await ada.GetFromJsonAsync<JsonElement>("/api/users/ursula");
            return user.GetProperty("effectivePermissions").EnumerateArray().Select(p => p.GetString()!).ToList();
        }
    }
}
