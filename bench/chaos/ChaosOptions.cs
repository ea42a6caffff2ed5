using System.Globalization;

namespace Notifly.Chaos;

/// <summary>The run's shape, from the command line.</summary>
public sealed record ChaosOptions(
    int DurationSeconds, int Silos, int ApiNodes, int RestPerSecond, int KafkaPerSecond, int Seed, string ResultsDirectory)
{
    public const string Usage = """
        usage: bench/chaos/run.sh [options]
          --duration S     seconds of load, faults included (default 420, at least 300)
          --silos N        worker silos (default 3, at least 2)
          --api-nodes N    api nodes, clients of the cluster (default 2, at least 2)
          --rest-rate N    REST requests per second, spread over the api nodes (default 30)
          --kafka-rate N   Kafka requests per second (default 20)
          --seed N         picks the victims and shifts the fault times (default: random, printed)
          --results DIR    where the report goes (default bench/results)
        """;

    public static ChaosOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                throw new ArgumentException(Usage);
            }

            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            }

            values[args[i][2..]] = args[++i];
        }

        int Int(string name, int fallback, int min)
        {
            if (!values.Remove(name, out var text))
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
            {
                throw new ArgumentException($"--{name} must be a whole number of at least {min}, not '{text}'");
            }

            return value;
        }

        var options = new ChaosOptions(
            Int("duration", 420, 300), Int("silos", 3, 2), Int("api-nodes", 2, 2), Int("rest-rate", 30, 1), Int("kafka-rate", 20, 1),
            Int("seed", Random.Shared.Next(1, 100_000), 0), values.Remove("results", out var results) ? results : "bench/results");
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option --{values.Keys.First()}\n{Usage}");
        }

        return options;
    }
}
