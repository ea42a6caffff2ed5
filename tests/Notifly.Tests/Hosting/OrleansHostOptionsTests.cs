// Notifly:Orleans is checked on start: a cluster that cannot be formed is refused with the
// setting to fix, instead of a silo that quietly runs alone.
using System.ComponentModel.DataAnnotations;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Hosting;

public class OrleansHostOptionsTests
{
    private static List<ValidationResult> Validate(OrleansHostOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void The_defaults_are_a_valid_single_node()
    {
        Validate(new OrleansHostOptions()).Should().BeEmpty();
    }

    [Fact]
    public void Redis_clustering_without_a_server_is_refused()
    {
        Validate(new OrleansHostOptions { Clustering = OrleansClustering.Redis })
            .Should().ContainSingle(r => r.MemberNames.Contains(nameof(OrleansHostOptions.Redis)));
        Validate(new OrleansHostOptions { Clustering = OrleansClustering.Redis, Redis = "redis:6379" }).Should().BeEmpty();
    }

    [Fact]
    public void An_advertised_address_must_be_an_IP_address()
    {
        Validate(new OrleansHostOptions { AdvertisedAddress = "silo-0.notifly" })
            .Should().ContainSingle(r => r.MemberNames.Contains(nameof(OrleansHostOptions.AdvertisedAddress)));
        Validate(new OrleansHostOptions { AdvertisedAddress = "10.1.2.3" }).Should().BeEmpty();
    }

    [Fact]
    public void A_primary_silo_is_an_IP_endpoint()
    {
        Validate(new OrleansHostOptions { PrimarySilo = "silo-0:11111" })
            .Should().ContainSingle(r => r.MemberNames.Contains(nameof(OrleansHostOptions.PrimarySilo)));
        Validate(new OrleansHostOptions { PrimarySilo = "127.0.0.1:11111" }).Should().BeEmpty();
    }

    [Fact]
    public void An_api_nodes_gateways_are_IP_endpoints_and_default_to_this_machine()
    {
        Validate(new OrleansHostOptions { Gateways = ["10.0.0.5:30000", "gateway.notifly:30000", "10.0.0.6"] })
            .Should().HaveCount(2).And.OnlyContain(r => r.MemberNames.Contains(nameof(OrleansHostOptions.Gateways)));
        new OrleansHostOptions { Gateways = ["10.0.0.5:30000", "10.0.0.6:30001"] }.GatewayEndpoints()
            .Select(e => e.ToString()).Should().Equal("10.0.0.5:30000", "10.0.0.6:30001");
        new OrleansHostOptions { GatewayPort = 30005 }.GatewayEndpoints().Select(e => e.ToString()).Should().Equal("127.0.0.1:30005");
    }
}
