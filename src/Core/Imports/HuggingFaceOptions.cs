using Microsoft.Extensions.Options;

namespace ModelsHub.Core.Imports;

/// <summary>Where the hub reads Hugging Face repositories from, and how imports pace themselves (section <c>HuggingFace</c>).</summary>
public sealed class HuggingFaceOptions
{
    public const string Section = "HuggingFace";

    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The Hub, or a mirror that serves the same API (<c>HF_ENDPOINT</c> in Hugging Face's own tools).</summary>
    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>How long a metadata call (model info, a HEAD, whoami) or a pause in a download's bytes may last.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one workflow step copies bytes before it saves its place and hands over to the next
    /// step (the queue message must come back before its visibility timeout lapses).
    /// </summary>
    public TimeSpan CopyStepBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The most files one import may copy.</summary>
    public int MaxFiles { get; set; } = 1_000;

    public Uri EndpointUri => new(Endpoint.TrimEnd('/') + "/");
}

public sealed class HuggingFaceOptionsValidator : IValidateOptions<HuggingFaceOptions>
{
    public ValidateOptionsResult Validate(string? name, HuggingFaceOptions options)
    {
        var failures = new List<string>();
        var s = HuggingFaceOptions.Section;
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            failures.Add($"{s}:Endpoint must be the absolute http(s) address of the Hugging Face Hub or a mirror, such as {HuggingFaceOptions.DefaultEndpoint} (it is '{options.Endpoint}').");
        }
        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{s}:Timeout must be between 00:00:01 and 00:10:00 (it is {options.Timeout}).");
        }
        if (options.CopyStepBudget < TimeSpan.FromSeconds(1) || options.CopyStepBudget > TimeSpan.FromHours(1))
        {
            failures.Add($"{s}:CopyStepBudget must be between 00:00:01 and 01:00:00 (it is {options.CopyStepBudget}).");
        }
        if (options.MaxFiles is < 1 or > 100_000)
        {
            failures.Add($"{s}:MaxFiles must be between 1 and 100000 (it is {options.MaxFiles}).");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
