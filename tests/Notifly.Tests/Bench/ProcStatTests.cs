// Parsing of /proc/<pid>/stat for the benchmark's CPU accounting; the live /proc read is
// checked only against this process, whatever its numbers.
using Notifly.Bench.Measurement;

namespace Notifly.Tests.Bench;

public class ProcStatTests
{
    [Fact]
    public void Parses_a_backend_whose_name_holds_spaces_and_parentheses()
    {
        var line = "4242 (postgres: notifly notifly 127.0.0.1(4242) idle) S 100 4242 4242 0 -1 4194560 "
            + "500 0 0 0 120 30 7 3 20 0 1 0 12345 1000000 500 18446744073709551615";

        var stat = ProcStat.Parse(line);

        stat.ParentId.Should().Be(100);
        stat.UserTicks.Should().Be(120);
        stat.SystemTicks.Should().Be(30);
        stat.ReapedChildrenTicks.Should().Be(10);
        stat.OwnTicks.Should().Be(150);
    }

    [Fact]
    public void Reads_this_process()
    {
        var stat = ProcStat.TryRead(Environment.ProcessId);

        stat.Should().NotBeNull();
        stat!.Value.OwnTicks.Should().BeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void A_process_that_is_gone_reads_as_null() =>
        ProcStat.TryRead(int.MaxValue).Should().BeNull();
}
