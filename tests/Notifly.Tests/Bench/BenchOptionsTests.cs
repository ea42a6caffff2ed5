// The benchmark's hand-parsed command line: defaults, bounds and the phase list. No run is started.
using Notifly.Bench;
using Notifly.Bench.Phases;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Bench;

public class BenchOptionsTests
{
    [Fact]
    public void Defaults_match_the_documented_command()
    {
        var options = BenchOptions.Parse([]);

        options.DurationSeconds.Should().Be(10);
        options.Rate.Should().Be(5000);
        options.Connections.Should().Be(64);
        options.Role.Should().Be(NotiflyRole.Api);
        options.Phases.Should().Equal(PhaseNames.Default);
    }

    [Fact]
    public void Phases_run_in_their_fixed_order_whatever_order_they_are_given_in()
    {
        var options = BenchOptions.Parse(["--phases", "intake-rate,kestrel"]);

        options.Phases.Should().Equal(PhaseNames.Kestrel, PhaseNames.IntakeRate);
    }

    [Theory]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "ten")]
    [InlineData("--connections", "5000")]
    [InlineData("--role", "worker")]
    [InlineData("--phases", "everything")]
    [InlineData("--set", "Urls=http://0.0.0.0:80")]
    [InlineData("--bogus", "1")]
    public void Refuses_bad_arguments_with_a_usage_error(string name, string value)
    {
        var act = () => BenchOptions.Parse([name, value]);

        act.Should().Throw<UsageException>();
    }

    [Fact]
    public void Settings_pass_through_to_Notifly()
    {
        var options = BenchOptions.Parse(["--set", "Notifly:Intake:Writers=2", "--set", "Notifly:Intake:MaxBatchSize=500"]);

        options.Settings.Should().Contain("Notifly:Intake:Writers", "2").And.Contain("Notifly:Intake:MaxBatchSize", "500");
    }
}
