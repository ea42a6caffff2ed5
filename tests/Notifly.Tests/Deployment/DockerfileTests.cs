// The image cannot be built on this machine (no Docker daemon), so the Dockerfile is checked for
// what breaks a build or a pod: every file it copies from the context exists and is not
// excluded by .dockerignore, it runs as the non-root user the manifests expect, and it exposes
// the ports they use.
using System.Text.RegularExpressions;
using Notifly.Tests.Support;

namespace Notifly.Tests.Deployment;

public partial class DockerfileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile"));

    [Fact]
    public void Copies_only_what_the_build_context_has()
    {
        var ignored = File.ReadAllLines(Path.Combine(Repository.Root, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.TrimEnd('/')).ToArray();
        var sources = Lines.Select(l => CopyFromContext().Match(l)).Where(m => m.Success)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToArray();

        sources.Should().Contain(["global.json", "silo/", "dashboard/package-lock.json"]);
        foreach (var source in sources)
        {
            var path = Path.Combine(Repository.Root, source);
            (File.Exists(path) || Directory.Exists(path)).Should().BeTrue($"the Dockerfile copies {source}");
            ignored.Should().NotContain(source.TrimEnd('/'), $".dockerignore would leave {source} out of the context");
        }
    }

    [Fact]
    public void Runs_as_the_non_root_user_and_exposes_the_manifests_ports()
    {
        Lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)).Should().Be("USER 1654");
        var exposed = Lines.Single(l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).Split(' ')[1..];
        exposed.Should().BeEquivalentTo(["8080", "9090", "11111", "30000"]);
        Lines.Should().Contain("ENTRYPOINT [\"dotnet\", \"notifly.dll\"]");
    }

    // COPY lines that read the build context (not --from=another stage).
    [GeneratedRegex(@"^COPY (?!--from)(.+)$")]
    private static partial Regex CopyFromContext();
}
