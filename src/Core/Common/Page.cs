namespace ModelsHub.Core.Common;

/// <summary>One page of results; a null token means there is nothing after it.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static int Validate(int? pageSize, string field = "pageSize")
    {
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw new ValidationException(field, $"Must be between 1 and {MaxPageSize}.");
        }
        return size;
    }
}
