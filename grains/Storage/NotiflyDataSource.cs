using Npgsql;

namespace Notifly.Grains.Storage;

/// <summary>How every node opens PostgreSQL: one data source, with our statements prepared automatically.</summary>
public static class NotiflyDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // Our hot statements (intake insert, claims, turns) are few and repeated: preparing
            // them saves PostgreSQL a parse and plan per batch (-35 % CPU per row at small
            // batches, BENCHMARKS.md). An explicit Max Auto Prepare in the string wins.
            // Auto-preparation has a trap (docs/0018): a parameter the server refuses at Bind
            // leaves the statement half-prepared on that connection, so a failed connection must
            // not be reused (Database.Discard) and unstorable text is refused at the edge.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        return builder.Build();
    }
}
