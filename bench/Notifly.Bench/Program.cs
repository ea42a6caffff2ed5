using Notifly.Bench;
using Notifly.Bench.Load;

// `client` is the load generator: the benchmark runs it as a child process of itself so that
// its CPU time is measured apart from the server's. Anything else runs the benchmark.
return args is ["client"]
    ? await LoadGenerator.ServeAsync()
    : await BenchmarkRun.RunAsync(args);
