namespace ModelsHub.Core.Common;

/// <summary>A field that may be absent from a request, as opposed to present and null.</summary>
public readonly record struct Optional<T>(bool HasValue, T Value)
{
    public static Optional<T> Absent => default;

    public static implicit operator Optional<T>(T value) => new(true, value);

    public T GetValueOrDefault(T fallback) => HasValue ? Value : fallback;
}
