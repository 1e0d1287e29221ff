// modelshub login | models list|show|create | upload | download | datasets | train | jobs list|show|follow|cancel | deploy [list|show|stop|start|delete] — see `modelshub --help`.
return await ModelsHub.Cli.CliApp.RunAsync(args);
