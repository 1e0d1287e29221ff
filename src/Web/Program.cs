using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;
using ModelsHub.Web;
using ModelsHub.Web.Services;
using ModelsHub.Web.Services.Localization;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

// The hub says how people sign in (development sign-in or Entra ID), so one build serves every deployment.
var hub = new Uri(builder.HostEnvironment.BaseAddress);
var config = await WebAppServices.LoadClientConfigAsync(hub);
builder.Services.AddModelsHubWeb(hub, config);

var host = builder.Build();
if (config.Entra is not null)
{
    // The OpenID Connect client script is needed only with Entra sign-in; development sign-in never loads it.
    await host.Services.GetRequiredService<IJSRuntime>().InvokeVoidAsync("modelsHub.loadScript",
        "_content/Microsoft.AspNetCore.Components.WebAssembly.Authentication/AuthenticationService.js");
}
await host.Services.GetRequiredService<Loc>().InitializeAsync();
await host.RunAsync();
