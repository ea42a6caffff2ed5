// The soak phase's arithmetic (issue 15): the slope it reports is the least-squares line through
// the windows, so a steady series reads 0 and a leaking one its growth per minute; and the phase
// is chosen by name only, never as part of "all".
using Notifly.Bench;
using Notifly.Bench.Phases;

namespace Notifly.Tests.Bench;

public class SoakPhaseTests
{
    private static SoakPhase.Sample At(double minute, double live) => new(minute, 1000, 10, live, live, 300);

    [Fact]
    public void A_steady_series_has_no_slope_and_a_growing_one_its_growth_per_minute()
    {
        SoakPhase.Slope([At(1, 50), At(2, 50), At(3, 50)], s => s.LiveMb, "MB/min").Should().Be("0.00 MB/min (mean 50.0)");
        SoakPhase.Slope([At(1, 50), At(2, 53), At(3, 56), At(4, 59)], s => s.LiveMb, "MB/min").Should().StartWith("+3.00 MB/min");
        SoakPhase.Slope([At(1, 60), At(2, 52), At(3, 61), At(4, 51)], s => s.LiveMb, "MB/min").Should().StartWith("-1.80 MB/min",
            "noise around a level reads as a small slope, not as growth");
    }

    [Fact]
    public void Runs_only_when_named_and_may_last_an_hour()
    {
        BenchOptions.Parse(["--phases", "all"]).Phases.Should().NotContain(PhaseNames.Soak);
        var soak = BenchOptions.Parse(["--phases", "soak", "--duration", "600"]);
        soak.Phases.Should().Equal(PhaseNames.Soak);
        soak.DurationSeconds.Should().Be(600);
    }
}
