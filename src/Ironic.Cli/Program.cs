using Ironic.Cli;

return await IronicCommandLine.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
