namespace Notifly.Tests.Support;

/// <summary>The checkout the tests were built from.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "README.md")) || !Directory.Exists(Path.Combine(directory.FullName, "api")))
        {
            directory = directory.Parent;
        }

        return directory.FullName;
    }
}
