using ModelsHub.Cli;

// modelshub upload <file> --model NAME [--version LABEL] ...   |   modelshub download --model NAME --version LABEL --file NAME ...
return await CliCommand.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
