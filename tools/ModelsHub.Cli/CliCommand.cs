namespace ModelsHub.Cli;

public static class CliCommand
{
    public const string Usage = """
        usage:
          modelshub upload <file> --model NAME [--version LABEL] [--notes TEXT] [--content-type TYPE]
                                  [--parallel N] [--limit-rate BYTES/s] [--hub URL] [--token TOKEN]
              Uploads a file into a model version in chunks and resumes an upload that was cut off:
              run the same command again and only the missing chunks are sent. Without --version the
              file's unfinished upload is resumed, or a new version gets the suggested label (v1 first).
          modelshub download --model NAME --version LABEL --file NAME [--out PATH] [--hub URL] [--token TOKEN]
              Downloads a version's file, resuming a partial download, and checks its SHA-256.

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
