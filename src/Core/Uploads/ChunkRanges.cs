namespace ModelsHub.Core.Uploads;

/// <summary>Chunk indexes as inclusive ranges ([0, 12], [15, 15]): 50,000 chunks stay a short answer.</summary>
public static class ChunkRanges
{
    public static IReadOnlyList<int[]> From(IEnumerable<int> indexes)
    {
        var result = new List<int[]>();
        foreach (var i in indexes.Distinct().Order())
        {
            if (result.Count > 0 && result[^1][1] == i - 1)
            {
                result[^1][1] = i;
            }
            else
            {
                result.Add([i, i]);
            }
        }
        return result;
    }

    public static string Describe(IEnumerable<int> indexes) =>
        string.Join(", ", From(indexes).Select(r => r[0] == r[1] ? $"{r[0]}" : $"{r[0]}-{r[1]}"));
}
