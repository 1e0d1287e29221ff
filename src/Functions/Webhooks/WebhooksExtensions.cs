using ModelsHub.Core.Events;
using ModelsHub.Core.Webhooks;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.GitHub;
using Octokit.Webhooks;

namespace ModelsHub.Functions.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>Outgoing webhooks (subscriptions, deliveries on the workflow runner) and GitHub's incoming pull_request events.</summary>
    public static IServiceCollection AddHubWebhooks(this IServiceCollection services, IHostEnvironment environment)
    {
        // http:// targets only while developing, unless Webhooks:AllowHttp says otherwise.
        services.PostConfigure<WebhookOptions>(o => o.AllowHttp ??= environment.IsDevelopment());
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<IHubEventListener>(sp => sp.GetRequiredService<WebhookDeliveries>());
        services.AddSingleton<WebhookService>();
        services.AddSingleton<IWorkflowDefinition, WebhookDeliveryWorkflow>();
        services.AddSingleton<WebhookEventProcessor, GitHubPullRequestEvents>();
        return services;
    }
}
