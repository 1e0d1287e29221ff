// modelshub login | models list|show|create | upload | download — see `modelshub --help`.
return await ModelsHub.Cli.CliApp.RunAsync(args);
