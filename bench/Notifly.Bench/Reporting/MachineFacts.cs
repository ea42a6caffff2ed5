using System.Runtime;
using System.Runtime.InteropServices;
using Npgsql;

namespace Notifly.Bench.Reporting;

/// <summary>What the figures depend on: the machine, the runtime and PostgreSQL's durability settings.</summary>
public sealed record MachineFacts(
    int Cores, string CpuModel, double MemoryGiB, string Os, string Runtime, bool ServerGc, string Postgres,
    IReadOnlyDictionary<string, string> PostgresSettings)
{
    private static readonly string[] Settings =
        ["fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "wal_level", "shared_buffers", "max_wal_size", "checkpoint_timeout"];

    public static async Task<MachineFacts> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT name, current_setting(name) FROM unnest($1::text[]) AS name", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = Settings });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                settings[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return new MachineFacts(
            Environment.ProcessorCount,
            ProcValue("/proc/cpuinfo", "model name") ?? "unknown",
            Math.Round(double.Parse((ProcValue("/proc/meminfo", "MemTotal") ?? "0").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024 / 1024, 1),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC,
            "PostgreSQL " + connection.PostgreSqlVersion,
            settings);
    }

    private static string? ProcValue(string file, string key) =>
        File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault();
}
