using Notifly.Chaos;

ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var terminated = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});

var audit = await ChaosRun.RunAsync(options, stop.Token);
return audit.Passed ? 0 : 1;
