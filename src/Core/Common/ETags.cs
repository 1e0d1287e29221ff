namespace ModelsHub.Core.Common;

public static class ETags
{
    /// <summary>The If-Match wildcard: apply to whatever version of the document is current.</summary>
    public const string Any = "*";
}
