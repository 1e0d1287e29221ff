using System.ClientModel;
using System.Text.Json;
using Anthropic.Exceptions;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.ApiModels;

namespace ModelsHub.Infrastructure.AiProviders;

/// <summary>
/// The SDKs' failures as <see cref="ModelCallException"/>: the provider's status decides the error
/// class, its own message is kept (with the key scrubbed), and no exception type leaks past here.
/// </summary>
internal static class ProviderFailures
{
    public static ModelCallException Translate(Exception exception, InferenceTarget target, ProviderResponses.Observation? observed, bool timedOut)
    {
        if (exception is ModelCallException already)
        {
            return already;
        }
        if (timedOut)
        {
            return new ModelCallException(UsageErrorClass.Timeout,
                $"{Name(target)} did not answer in time.", null, null, exception);
        }
        var (status, body) = exception switch
        {
            ClientResultException c when c.Status > 0 => ((int?)c.Status, Body(c)),
            AnthropicApiException a => ((int)a.StatusCode, a.ResponseBody),
            _ => (observed?.Status is >= 400 and var s ? s : null, (string?)null),
        };
        if (status is null)
        {
            var reason = exception is AnthropicSseException or AnthropicInvalidDataException or JsonException
                ? "sent a response the SDK could not read"
                : "could not be reached or cut the connection";
            return new ModelCallException(UsageErrorClass.ProviderError, $"{Name(target)} {reason}: {Scrub(Innermost(exception).Message, target)}", null, null, exception);
        }
        var errorClass = status switch
        {
            401 or 403 => UsageErrorClass.Auth,
            429 => UsageErrorClass.RateLimited,
            408 or 504 => UsageErrorClass.Timeout,
            >= 400 and < 500 => UsageErrorClass.BadRequest,
            _ => UsageErrorClass.ProviderError,
        };
        var message = ProviderMessage(body) is { } said ? Scrub(said, target) : $"HTTP {status}";
        return new ModelCallException(errorClass, $"{Name(target)} answered {status}: {message}", status, observed?.RetryAfter, exception);
    }

    private static string Name(InferenceTarget target) => target.Kind switch
    {
        ProviderKind.Openai => "OpenAI",
        ProviderKind.Anthropic => "Anthropic",
        _ => $"The server at {target.Endpoint.Host}",
    };

    private static string? Body(ClientResultException exception)
    {
        try
        {
            return exception.GetRawResponse()?.Content?.ToString();
        }
        catch (InvalidOperationException)
        {
            return null; // a streamed response whose body was not buffered
        }
    }

    /// <summary><c>error.message</c> in both providers' error JSON (OpenAI: <c>{"error":{…}}</c>; Anthropic: <c>{"type":"error","error":{…}}</c>).</summary>
    private static string? ProviderMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    return Truncate(m.GetString()!);
                }
                if (error.ValueKind == JsonValueKind.String)
                {
                    return Truncate(error.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
        }
        return Truncate(body);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner) exception = inner;
        return exception;
    }

    /// <summary>Providers echo parts of a refused key ("Incorrect API key provided: sk-abc…"); none of it leaves the hub.</summary>
    private static string Scrub(string message, InferenceTarget target)
    {
        if (target.ApiKey is { Length: >= 8 } key)
        {
            message = message.Replace(key, "***", StringComparison.Ordinal);
            message = message.Replace(key[..8], "***", StringComparison.Ordinal);
        }
        return System.Text.RegularExpressions.Regex.Replace(message, @"(sk|sk-ant|sk-proj)-[A-Za-z0-9_\-*]{4,}", "***");
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
