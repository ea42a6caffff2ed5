using System.Globalization;
using System.Text;

namespace Notifly.Silo.Hosting;

/// <summary>
/// The server settings PrivatePostgres imposes. They live in a file of their own, rewritten at
/// every start (the port may change between runs), which postgresql.conf includes; ALTER SYSTEM
/// (postgresql.auto.conf, read after postgresql.conf) can therefore still override them in dev mode.
/// </summary>
internal static class ServerSettings
{
    private const string FileName = "notifly.conf";
    private const string IncludeLine = $"include_if_exists = '{FileName}'";

    public static async Task EnsureIncludedAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var configuration = Path.Combine(dataDirectory, "postgresql.conf");
        var lines = await File.ReadAllLinesAsync(configuration, cancellationToken);
        if (!lines.Contains(IncludeLine, StringComparer.Ordinal))
        {
            await File.AppendAllTextAsync(configuration, $"{Environment.NewLine}{IncludeLine}{Environment.NewLine}", cancellationToken);
        }
    }

    public static Task WriteAsync(
        string dataDirectory, int port, string socketDirectory, bool keepData, IEnumerable<KeyValuePair<string, string>> extra,
        CancellationToken cancellationToken)
    {
        var settings = new StringBuilder()
            .AppendLine("# Written by Notifly at every start: change settings with ALTER SYSTEM, not here.")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {port}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = {Quote(socketDirectory)}")
            .AppendLine("max_connections = 200");
        if (keepData)
        {
            settings.AppendLine("shared_buffers = 256MB");
        }
        else
        {
            // Tests throw the cluster away: durability buys them nothing and costs them time.
            settings.AppendLine("fsync = off")
                .AppendLine("synchronous_commit = off")
                .AppendLine("full_page_writes = off");
        }

        foreach (var (name, value) in extra)
        {
            settings.AppendLine(CultureInfo.InvariantCulture, $"{name} = {value}");
        }

        return File.WriteAllTextAsync(Path.Combine(dataDirectory, FileName), settings.ToString(), cancellationToken);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
