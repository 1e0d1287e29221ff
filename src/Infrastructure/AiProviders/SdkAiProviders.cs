using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Usage;
using OpenAI;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.ApiModels;

namespace ModelsHub.Infrastructure.AiProviders;

/// <summary>
/// <see cref="IAiProviders"/> over the official SDKs: OpenAI's for OpenAI and OpenAI-compatible
/// servers, Anthropic's for Anthropic, each behind Microsoft.Extensions.AI. One pooled HttpClient
/// serves them all; clients are built once per target (model, endpoint, key) and reused. The SDKs'
/// own retries are off: a 429 goes back to the caller with the provider's Retry-After, so the
/// application decides, and a gateway never multiplies a provider's load.
/// </summary>
public sealed class SdkAiProviders : IAiProviders, IDisposable
{
    private readonly AiProviderOptions _options;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Lazy<ProviderClients>> _clients = new(StringComparer.Ordinal);

    public SdkAiProviders(IOptions<AiProviderOptions> options)
    {
        _options = options.Value;
        var sockets = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 1_024,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        _http = new HttpClient(new ProviderResponses { InnerHandler = sockets }, disposeHandler: true)
        {
            // The hub's own deadline (GuardedChatClient) decides; the client must not cut a long stream.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<ProviderModelInfo> VerifyAsync(InferenceTarget target, CancellationToken cancellationToken)
    {
        var clients = ClientsFor(target);
        var observed = ProviderResponses.Scope();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            if (clients.Anthropic is { } anthropic)
            {
                var info = await anthropic.Models.Retrieve(target.ModelId, new Anthropic.Models.Models.ModelRetrieveParams(), deadline.Token);
                return new ProviderModelInfo(info.ID, info.DisplayName);
            }
            var model = (await clients.OpenAi!.GetOpenAIModelClient().GetModelAsync(target.ModelId, deadline.Token)).Value;
            return new ProviderModelInfo(model.Id, model.OwnedBy is { Length: > 0 } owner ? $"{model.Id} ({owner})" : model.Id);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ProviderFailures.Translate(ex, target, observed, deadline.IsCancellationRequested);
        }
    }

    public IChatClient ChatClient(InferenceTarget target) => ClientsFor(target).Chat;

    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator(InferenceTarget target) =>
        ClientsFor(target).Embeddings ?? throw new ModelCallException(UsageErrorClass.BadRequest,
            "Anthropic has no embeddings API; use an OpenAI or OpenAI-compatible embedding model.");

    private ProviderClients ClientsFor(InferenceTarget target)
    {
        if (_clients.Count >= _options.MaxCachedClients && !_clients.ContainsKey(target.ClientKey))
        {
            // Keys and endpoints change rarely; starting over is simpler than tracking use, and cheap.
            _clients.Clear();
        }
        return _clients.GetOrAdd(target.ClientKey, _ => new Lazy<ProviderClients>(() => Build(target))).Value;
    }

    private ProviderClients Build(InferenceTarget target)
    {
        if (target.Kind == ProviderKind.Anthropic)
        {
            var anthropic = new AnthropicClient(new Anthropic.Core.ClientOptions
            {
                ApiKey = target.ApiKey,
                BaseUrl = target.Endpoint.ToString().TrimEnd('/'),
                HttpClient = _http,
                MaxRetries = 0,
                Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            });
            var chat = new GuardedChatClient(anthropic.AsIChatClient(target.ModelId, _options.AnthropicDefaultMaxTokens), target, _options.Timeout);
            return new ProviderClients(chat, null, anthropic, null);
        }
        var openAi = new OpenAIClient(new ApiKeyCredential(target.ApiKey ?? "none"), new OpenAIClientOptions
        {
            Endpoint = target.Endpoint,
            Transport = new HttpClientPipelineTransport(_http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = System.Threading.Timeout.InfiniteTimeSpan,
        });
        return new ProviderClients(
            new GuardedChatClient(openAi.GetChatClient(target.ModelId).AsIChatClient(), target, _options.Timeout),
            new GuardedEmbeddingGenerator(openAi.GetEmbeddingClient(target.ModelId).AsIEmbeddingGenerator(), target, _options.Timeout),
            null, openAi);
    }

    public void Dispose() => _http.Dispose();

    private sealed record ProviderClients(IChatClient Chat, IEmbeddingGenerator<string, Embedding<float>>? Embeddings, AnthropicClient? Anthropic, OpenAIClient? OpenAi);
}
