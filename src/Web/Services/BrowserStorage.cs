using Microsoft.JSInterop;

namespace ModelsHub.Web.Services;

/// <summary>What this browser remembers for the app (language, token, unfinished uploads), in local storage.</summary>
public sealed class BrowserStorage(IJSRuntime js)
{
    public ValueTask<string?> GetAsync(string key) => js.InvokeAsync<string?>("modelsHub.storage.get", key);

    public ValueTask SetAsync(string key, string? value) => js.InvokeVoidAsync("modelsHub.storage.set", key, value);
}
