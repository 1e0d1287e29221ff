namespace ModelsHub.Cli;

public static class CliCommand
{
    public const string Usage = """
        usage:
          modelshub upload <file> (--model NAME | --dataset NAME) [--version LABEL] [--notes TEXT] [--content-type TYPE]
                                  [--parallel N] [--limit-rate BYTES/s] [--no-wait] [--hub URL] [--token TOKEN]
              Uploads a file into a model's or a dataset's version in chunks and resumes an upload that was
              cut off: run the same command again and only the missing chunks are sent. Without --version
              the file's unfinished upload is resumed, or a new version gets the suggested label (v1 first).
              A dataset's file is then validated: the command waits for it (unless --no-wait), prints the
              records and token estimate, or the first errors with their lines, and exits 1 when invalid.
          modelshub download (--model NAME | --dataset NAME) --version LABEL [--file NAME] [--out PATH] [--hub URL] [--token TOKEN]
              Downloads a version's file (--file may be left out when the version has one), resuming a
              partial download, and checks its SHA-256.
          modelshub datasets create NAME --format jsonl-chat|jsonl-completion|csv|parquet|archive [--visibility private|public] [--description TEXT]
          modelshub datasets list [--status ready] [--format FORMAT] [--owner USER] [--mine] [--q WORDS]
              Creates a dataset (datasets.manage); lists the datasets you may see (--status ready: what training offers).

        --hub defaults to $MODELSHUB_URL or http://localhost:7071; --token to $MODELSHUB_TOKEN.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        try
        {
            var options = CliOptions.Parse(args);
            return options.Command switch
            {
                "upload" => await new UploadCommand(options, output, errors).RunAsync(cancellationToken),
                "download" => await new DownloadCommand(options, output).RunAsync(cancellationToken),
                "datasets" => await new DatasetsCommand(options, output).RunAsync(cancellationToken),
                _ => throw new UsageException(options.Command.Length == 0 ? "Name a command." : $"Unknown command '{options.Command}'."),
            };
        }
        catch (UsageException ex)
        {
            await errors.WriteLineAsync(ex.Message);
            await errors.WriteLineAsync(Usage);
            return 2;
        }
        catch (HubRequestException ex)
        {
            await errors.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await errors.WriteLineAsync($"The hub could not be reached: {ex.Message}");
            return 1;
        }
    }

    public static Uri HubAddress(CliOptions options)
    {
        var text = options.Get("hub", "MODELSHUB_URL") ?? "http://localhost:7071";
        return Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"--hub '{text}' is not an http(s) address.");
    }
}
