using System.ComponentModel.DataAnnotations;

namespace Notifly.Silo.Hosting;

public sealed class PrivatePostgresOptions
{
    /// <summary>The cluster's data directory; created (and initdb'd) when it holds no cluster yet.</summary>
    [Required]
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    [Required]
    public string Superuser { get; set; } = "notifly";

    /// <summary>Database created at start when missing; <see cref="PrivatePostgres.ConnectionString"/> points at it.</summary>
    [Required]
    public string Database { get; set; } = "notifly";

    /// <summary>
    /// Dev mode: keep the data between runs, with durable settings. When false (tests) the server trades
    /// durability for speed and the directory is deleted on dispose.
    /// </summary>
    public bool KeepData { get; set; }

    /// <summary>Directory holding initdb, pg_ctl and postgres; by default the newest /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// More server settings (name → value as postgresql.conf spells it), written after Notifly's own,
    /// e.g. <c>shared_preload_libraries = 'pg_stat_statements'</c> for the benchmark's <c>--pg-stats</c>.
    /// </summary>
    public IDictionary<string, string> ExtraSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
