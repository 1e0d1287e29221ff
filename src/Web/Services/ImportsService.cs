using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Users;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>Imports from Hugging Face (seed 004): preview a repository's files with their sizes, start, follow, cancel; the user's Hugging Face token for gated repositories.</summary>
public sealed class ImportsService(ApiClient api)
{
    public static string PathOf(string id) => $"api/imports/{Query.Segment(id)}";

    public Task<ImportPreviewDto> PreviewAsync(string repoId, string? revision, CancellationToken cancellationToken = default) =>
        api.GetAsync<ImportPreviewDto>(new Query("api/imports/huggingface/preview").Add("repoId", repoId.Trim())
            .Add("revision", string.IsNullOrWhiteSpace(revision) ? null : revision.Trim()), cancellationToken);

    public async Task<ImportDto> StartAsync(HuggingFaceImportRequestBody request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ImportDto>(HttpMethod.Post, "api/imports/huggingface", request, cancellationToken: cancellationToken)).Value!;

    public async Task<IReadOnlyList<ImportDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await api.GetAsync<ImportListResponse>("api/imports", cancellationToken)).Items;

    public Task<ImportDto> GetAsync(string id, CancellationToken cancellationToken = default) => api.GetAsync<ImportDto>(PathOf(id), cancellationToken);

    public async Task<ImportDto> CancelAsync(string id, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ImportDto>(HttpMethod.Post, $"{PathOf(id)}/cancel", cancellationToken: cancellationToken)).Value!;

    /// <summary>Saves the user's Hugging Face token (checked with the Hub first): gated and private repositories are read with it.</summary>
    public async Task<UserTokenDto> SaveTokenAsync(string token, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<UserTokenDto>(HttpMethod.Put, "api/me/huggingface-token", new UserTokenRequest(token.Trim()), cancellationToken: cancellationToken)).Value!;

    /// <summary>The error a gated repository's refusal carries on <c>repoId</c> (it starts with <c>gated:</c>), or null.</summary>
    public static string? GatedMessage(ProblemResponse? problem) =>
        problem?.Errors?.GetValueOrDefault("repoId")?.FirstOrDefault(m => m.StartsWith("gated:", StringComparison.Ordinal)) is { } m ? m["gated:".Length..].Trim() : null;
}
