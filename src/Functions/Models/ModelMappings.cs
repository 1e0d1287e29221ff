using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.PullRequests;

namespace ModelsHub.Functions.Models;

/// <summary>Models (and their pull requests) as the API's records (<see cref="ModelsHub.Contracts.Models"/>).</summary>
public static class ModelMappings
{
    public static ModelDto ToDto(this HubModel m) => new(
        m.Name, m.Type, m.Description, m.Readme, m.Tags, m.Framework, m.Source, m.Visibility, m.Tier, m.Owner,
        m.Status, m.ExpiresAt, m.Featured, m.CreatedAt, m.UpdatedAt, m.Spec, m.ETag, m.PullRequest?.ToDto(), m.DefaultVersion, m.DefaultVersionPinned, m.RemovedUpstreamAt,
        ApiModels.ApiModelMappings.ToDto(m.Provider, m.Source));

    public static ModelSummaryDto ToDto(this ModelSummary m) => new(
        m.Name, m.Type, m.Description, m.Tags, m.Framework, m.Source, m.Visibility, m.Tier, m.Owner,
        m.Status, m.ExpiresAt, m.Featured, m.CreatedAt, m.UpdatedAt, m.SpecEntries, m.ETag, m.RemovedUpstreamAt);

    public static ModelPullRequestDto ToDto(this ModelPullRequest p) =>
        new(p.Number, p.Url, p.State, p.Repository, p.Branch, p.SubmissionId, p.UpdatedAt, p.PublishedAt);
}
