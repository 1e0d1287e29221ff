using System.Globalization;
using System.Net;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;

namespace ModelsHub.Cli;

/// <summary><c>datasets create NAME --format F</c> and <c>datasets list</c> (filters as the API's).</summary>
public sealed class DatasetsCommand(CliOptions options, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var hub = new HubClient(CliCommand.HubAddress(options), options.Get("token", "MODELSHUB_TOKEN"));
        return options.Positional switch
        {
            ["create", var name] => await CreateAsync(hub, name, cancellationToken),
            ["list"] or [] => await ListAsync(hub, cancellationToken),
            _ => throw new UsageException("Use: datasets create NAME --format FORMAT, or datasets list."),
        };
    }

    private async Task<int> CreateAsync(HubClient hub, string name, CancellationToken cancellationToken)
    {
        var format = Parse<DatasetFormat>("format") ?? throw new UsageException($"--format is required; {EnumNames<DatasetFormat>.Expected}.");
        var request = new DatasetRequest(name, options.Get("description"), format, Parse<DatasetVisibility>("visibility"), null);
        var dataset = await hub.ExpectAsync<DatasetDto>(HttpMethod.Post, "api/datasets", request, cancellationToken, HttpStatusCode.Created);
        await output.WriteLineAsync($"dataset {dataset.Name} created ({EnumNames<DatasetFormat>.NameOf(dataset.Format)}, {EnumNames<DatasetVisibility>.NameOf(dataset.Visibility)})");
        return 0;
    }

    private async Task<int> ListAsync(HubClient hub, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        foreach (var name in new[] { "status", "format", "owner", "q", "visibility", "tag" })
        {
            if (options.Get(name) is { } value)
            {
                query.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
        if (options.Switch("mine"))
        {
            query.Add("mine=true");
        }
        string? token = null;
        await output.WriteLineAsync($"{"name",-32} {"format",-16} {"status",-10} {"version",-8} {"records",12} {"size",14}  owner");
        do
        {
            var page = await hub.ExpectAsync<DatasetListResponse>(HttpMethod.Get,
                "api/datasets?" + string.Join("&", query.Append("pageSize=100").Concat(token is null ? [] : [$"continuationToken={Uri.EscapeDataString(token)}"])),
                null, cancellationToken, HttpStatusCode.OK);
            foreach (var d in page.Items)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{d.Name,-32} {EnumNames<DatasetFormat>.NameOf(d.Format),-16} {EnumNames<DatasetStatus>.NameOf(d.Status),-10} {d.DefaultVersion ?? "-",-8} {d.RecordCount?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",12} {d.SizeBytes?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",14}  {d.Owner}"));
            }
            token = page.ContinuationToken;
        }
        while (token is not null);
        return 0;
    }

    private T? Parse<T>(string name) where T : struct, Enum =>
        options.Get(name) is not { } text ? null
        : EnumNames<T>.TryParse(text, out var value) ? value
        : throw new UsageException($"--{name} '{text}' is not allowed; {EnumNames<T>.Expected}.");
}
