// The dispatcher's "when is the next reminder due" (migration 0017): the statement is prepared,
// and a plan made while reminders was empty must not turn into a scan of the whole queue once it
// has filled. Checked by the pages the prepared statement reads, planned on an empty queue.
using System.Globalization;
using System.Text.RegularExpressions;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Storage;

public sealed class NextDuePlanTests
{
    [Fact]
    public async Task Stays_an_index_lookup_when_first_planned_on_an_empty_queue()
    {
        await using var dataSource = NpgsqlDataSource.Create(await (await PostgresServer.GetAsync()).CreateDatabaseAsync("next-due"));
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, "PREPARE next_due AS SELECT notifly_next_due_at()");
        await ExplainAsync(connection); // planned, and run, on the empty queue

        await ExecuteAsync(connection,
            """
            INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority)
            SELECT gen_random_uuid(), 'notification', gen_random_uuid(), now() + interval '1 day', 2 FROM generate_series(1, 20000)
            """);

        // A sequential scan would read every page of the 20,000 rows (about 230); reminders_due, a few.
        var plan = await ExplainAsync(connection);
        var pages = int.Parse(Regex.Match(plan, @"shared hit=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        pages.Should().BeLessThan(20, plan);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) EXECUTE next_due", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
