// The Orleans Dashboard: served on its path when enabled, absent otherwise, and never to a
// client that is not on this machine.
using System.Net;
using Microsoft.AspNetCore.Http;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Hosting;

public class OrleansDashboardTests
{
    [Fact]
    public async Task Enabled_it_is_served_on_its_path()
    {
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("dashboard"), new Dictionary<string, string?>
        {
            ["Notifly:Orleans:Dashboard:Enabled"] = "true",
            ["Notifly:Orleans:Dashboard:Path"] = "/ops/orleans",
        });
        using var http = node.Client();

        var page = await http.GetAsync("/ops/orleans");

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await page.Content.ReadAsStringAsync()).Should().Contain("Orleans");
    }

    [Fact]
    public async Task It_is_off_unless_enabled()
    {
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("nodashboard"));
        using var http = node.Client();

        (await http.GetAsync("/orleans")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("192.168.1.20", false)]
    public void Only_clients_on_this_machine_get_it(string address, bool local)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        OrleansHostingExtensions.IsLocal(context).Should().Be(local);
    }
}
