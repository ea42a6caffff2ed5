// The benchmark's raw ceiling derives its what-if statements from IntakeBatch's: these checks
// fail when the intake statement changes shape under the benchmark (it did once, silently).
using Notifly.Bench.Database;
using Notifly.Grains.Intake;

namespace Notifly.Tests.Bench;

public class RawInsertSqlTests
{
    [Fact]
    public void As_is_is_the_intake_statement_without_the_outbox() =>
        RawInsert.Sql(RawVariant.AsIs).Should().Be(IntakeBatch.Statement(outbox: false)).And.NotContain("notification_outbox");

    [Fact]
    public void No_key_check_drops_the_tenant_and_key_checks_and_keeps_the_rest()
    {
        var sql = RawInsert.Sql(RawVariant.NoKeyCheck);
        sql.Should().NotContain("api_keys").And.NotContain("FROM tenants").And.Contain("INSERT INTO notifications");
        sql.Should().Contain("), inserted AS (");
    }

    [Fact]
    public void No_notify_drops_the_wake_up() =>
        RawInsert.Sql(RawVariant.NoNotify).Should().NotContain("pg_notify").And.Contain("INSERT INTO reminders");

    [Fact]
    public void Kafka_is_the_intake_statement_with_the_outbox() =>
        RawInsert.Sql(RawVariant.Kafka).Should().Be(IntakeBatch.Statement(outbox: true)).And.Contain("notification_outbox");
}
