namespace ModelsHub.Core.Assets;

/// <summary>
/// One versioned asset: its kind and its name. Names are unique per kind ignoring case, so two
/// references to the same asset may differ in case; compare <see cref="Key"/>s.
/// </summary>
public readonly record struct AssetRef(AssetKind Kind, string Name)
{
    private const char KindSeparator = ':';

    public static AssetRef Model(string name) => new(AssetKind.Model, name);

    public static AssetRef Dataset(string name) => new(AssetKind.Dataset, name);

    /// <summary>The name in lowercase, unique within the kind.</summary>
    public string Id => Name.ToLowerInvariant();

    /// <summary>
    /// What groups the asset's versions and upload sessions in the stores (the SQLite key column,
    /// the Cosmos partition key). A model's key is its id, exactly as versions and uploads were stored
    /// before datasets existed; every other kind prefixes its noun (<c>dataset:chat-logs</c>), which no
    /// model name can contain, so the kinds never share a key.
    /// </summary>
    public string Key => Kind == AssetKind.Model ? Id : $"{Kind.Noun()}{KindSeparator}{Id}";

    public bool SameAs(AssetRef other) => Kind == other.Kind && string.Equals(Id, other.Id, StringComparison.Ordinal);

    /// <summary>The asset a <see cref="Key"/> names (its name is the lowercase id).</summary>
    public static bool TryParseKey(string key, out AssetRef asset)
    {
        asset = default;
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }
        var separator = key.IndexOf(KindSeparator);
        if (separator < 0)
        {
            asset = Model(key);
            return true;
        }
        foreach (var kind in Enum.GetValues<AssetKind>())
        {
            if (kind != AssetKind.Model && separator + 1 < key.Length && key.AsSpan(0, separator).SequenceEqual(kind.Noun()))
            {
                asset = new AssetRef(kind, key[(separator + 1)..]);
                return true;
            }
        }
        return false;
    }

    public override string ToString() => $"{Kind.Noun()} '{Name}'";
}

/// <summary>
/// One version of one asset: what a training job names as its input (a dataset version) or its base
/// (a model version), and what lineage records point at.
/// </summary>
public readonly record struct AssetVersionRef(AssetRef Asset, string Label)
{
    public override string ToString() => $"{Asset.Kind.Noun()} '{Asset.Name}' version '{Label}'";
}
