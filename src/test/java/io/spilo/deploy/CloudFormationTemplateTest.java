package io.spilo.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Issue 17: the AWS template of the original design, checked offline. It parses with
 * CloudFormation's short-form tags; every Ref, GetAtt and Sub names something defined; the load
 * balancer's health checks are the REST API's /primary and /replica; each security group opens only
 * what its role needs; and the user data writes a spilo.yml that 'spilo agent --validate' accepts.
 */
class CloudFormationTemplateTest {
    private static final Path TEMPLATE = Path.of("deploy/aws/spilo.yaml");
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region",
            "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    /** The attributes this template may read, by resource type (CloudFormation's documented return values). */
    private static final Map<String, Set<String>> ATTRIBUTES = Map.of(
            "AWS::EC2::Instance", Set.of("PrivateIp", "PrivateDnsName", "PublicIp", "AvailabilityZone"),
            "AWS::EC2::LaunchTemplate", Set.of("LatestVersionNumber", "DefaultVersionNumber", "LaunchTemplateId"),
            "AWS::ElasticLoadBalancingV2::LoadBalancer", Set.of("DNSName", "LoadBalancerFullName", "CanonicalHostedZoneID"),
            "AWS::EC2::SecurityGroup", Set.of("GroupId", "VpcId"));

    /** The template as plain maps and lists, each short-form tag turned into its long form ({@code !Ref x} is {@code {Ref: x}}). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> template() throws Exception {
        try (Reader reader = Files.newBufferedReader(TEMPLATE)) {
            Node root = new Yaml(new LoaderOptions()).compose(reader);
            return (Map<String, Object>) convert(root);
        }
    }

    private static Object convert(Node node) {
        Object value;
        if (node instanceof ScalarNode scalar) {
            value = scalar.getValue();
        } else if (node instanceof SequenceNode sequence) {
            List<Object> list = new ArrayList<>();
            sequence.getValue().forEach(item -> list.add(convert(item)));
            value = list;
        } else {
            Map<String, Object> map = new LinkedHashMap<>();
            for (NodeTuple tuple : ((MappingNode) node).getValue()) {
                map.put(((ScalarNode) tuple.getKeyNode()).getValue(), convert(tuple.getValueNode()));
            }
            value = map;
        }
        String tag = node.getTag().getValue();
        if (!tag.startsWith("!")) {
            return value;
        }
        String function = tag.substring(1);
        if (function.equals("GetAtt") && value instanceof String text) {
            value = List.of(text.substring(0, text.indexOf('.')), text.substring(text.indexOf('.') + 1));
        }
        return Map.of(function.equals("Ref") || function.equals("Condition") ? function : "Fn::" + function, value);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> section(Map<String, Object> template, String name) {
        return (Map<String, Map<String, Object>>) template.get(name);
    }

    @Test
    void everyReferenceNamesAParameterAResourceOrAnAttribute() throws Exception {
        Map<String, Object> template = template();
        Set<String> parameters = section(template, "Parameters").keySet();
        Map<String, Map<String, Object>> resources = section(template, "Resources");
        List<String> problems = new ArrayList<>();
        walk(template, Set.of(), (node, variables) -> check(node, variables, parameters, resources, problems));
        assertThat(problems).isEmpty();
        assertThat(resources).containsKeys("Vpc", "SubnetA", "SubnetB", "SubnetC", "EtcdA", "EtcdB", "EtcdC", "SpiloNodes",
                "LoadBalancer", "ReadWriteTargetGroup", "ReadOnlyTargetGroup");
        assertThat(parameters).contains("SpiloInstanceType", "EtcdInstanceType", "ClusterSize", "PostgresVersion", "ClientCidr");
    }

    interface Visitor {
        void visit(Map<String, Object> node, Set<String> subVariables);
    }

    /** Visits every mapping; inside Fn::Sub's list form the names of its variable map count as defined. */
    @SuppressWarnings("unchecked")
    private static void walk(Object node, Set<String> variables, Visitor visitor) {
        if (node instanceof Map<?, ?> map) {
            Set<String> inner = variables;
            Object sub = map.get("Fn::Sub");
            if (sub instanceof List<?> list && list.size() == 2 && list.get(1) instanceof Map<?, ?> names) {
                inner = new java.util.HashSet<>(variables);
                inner.addAll((Set<String>) names.keySet());
            }
            visitor.visit((Map<String, Object>) map, inner);
            for (Object child : map.values()) {
                walk(child, inner, visitor);
            }
        } else if (node instanceof List<?> list) {
            list.forEach(child -> walk(child, variables, visitor));
        }
    }

    private static void check(Map<String, Object> node, Set<String> variables, Set<String> parameters,
            Map<String, Map<String, Object>> resources, List<String> problems) {
        if (node.get("Ref") instanceof String name && !parameters.contains(name) && !resources.containsKey(name)
                && !PSEUDO_PARAMETERS.contains(name)) {
            problems.add("Ref " + name + " names nothing");
        }
        if (node.get("Fn::GetAtt") instanceof List<?> target) {
            checkAttribute(String.valueOf(target.get(0)), String.valueOf(target.get(1)), resources, problems);
        }
        Object sub = node.get("Fn::Sub");
        String text = sub instanceof String string ? string : sub instanceof List<?> list ? String.valueOf(list.get(0)) : null;
        if (text != null) {
            Matcher reference = Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
            while (reference.find()) {
                String name = reference.group(1);
                if (name.contains(".") && !name.startsWith("AWS::")) {
                    checkAttribute(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1), resources, problems);
                } else if (!variables.contains(name) && !parameters.contains(name) && !resources.containsKey(name)
                        && !PSEUDO_PARAMETERS.contains(name)) {
                    problems.add("Sub ${" + name + "} names nothing");
                }
            }
        }
    }

    private static void checkAttribute(String resource, String attribute, Map<String, Map<String, Object>> resources, List<String> problems) {
        Map<String, Object> definition = resources.get(resource);
        if (definition == null) {
            problems.add("GetAtt " + resource + "." + attribute + ": no resource " + resource);
            return;
        }
        Set<String> known = ATTRIBUTES.getOrDefault(String.valueOf(definition.get("Type")), Set.of());
        if (!known.contains(attribute)) {
            problems.add("GetAtt " + resource + "." + attribute + ": not an attribute of " + definition.get("Type"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBalancersHealthChecksAskTheRestApiForThePrimaryAndTheReplicas() throws Exception {
        Map<String, Map<String, Object>> resources = section(template(), "Resources");
        Map<String, Object> readWrite = (Map<String, Object>) resources.get("ReadWriteTargetGroup").get("Properties");
        Map<String, Object> readOnly = (Map<String, Object>) resources.get("ReadOnlyTargetGroup").get("Properties");
        for (Map<String, Object> group : List.of(readWrite, readOnly)) {
            assertThat(group).containsEntry("HealthCheckProtocol", "HTTP").containsEntry("HealthCheckPort", "8008")
                    .containsEntry("Port", "5432");
        }
        assertThat(readWrite).containsEntry("HealthCheckPath", "/primary");
        assertThat(readOnly).containsEntry("HealthCheckPath", "/replica");
        Map<String, Object> nodes = (Map<String, Object>) resources.get("SpiloNodes").get("Properties");
        assertThat((List<Object>) nodes.get("TargetGroupARNs")).containsExactly(Map.of("Ref", "ReadWriteTargetGroup"),
                Map.of("Ref", "ReadOnlyTargetGroup"));
        assertThat((List<Object>) nodes.get("VPCZoneIdentifier")).hasSize(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachSecurityGroupOpensOnlyWhatItsRoleNeeds() throws Exception {
        Map<String, Map<String, Object>> resources = section(template(), "Resources");
        // port -> the groups allowed in, per protected group
        Map<String, Set<String>> opened = new java.util.TreeMap<>();
        resources.forEach((name, resource) -> {
            Map<String, Object> properties = (Map<String, Object>) resource.get("Properties");
            if ("AWS::EC2::SecurityGroupIngress".equals(resource.get("Type"))) {
                opened.computeIfAbsent(ref(properties.get("GroupId")) + ":" + properties.get("FromPort") + "-" + properties.get("ToPort"),
                        key -> new java.util.TreeSet<>()).add(ref(properties.get("SourceSecurityGroupId")));
            } else if ("AWS::EC2::SecurityGroup".equals(resource.get("Type")) && properties.get("SecurityGroupIngress") != null) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) properties.get("SecurityGroupIngress")) {
                    opened.computeIfAbsent(name + ":" + rule.get("FromPort") + "-" + rule.get("ToPort"), key -> new java.util.TreeSet<>())
                            .add(rule.containsKey("CidrIp") ? "cidr " + ref(rule.get("CidrIp")) : ref(rule.get("SourceSecurityGroupId")));
                }
            }
        });
        assertThat(opened).isEqualTo(Map.of(
                "LoadBalancerSecurityGroup:5432-5433", Set.of("cidr ClientCidr"),
                "SpiloNodeSecurityGroup:5432-5432", Set.of("LoadBalancerSecurityGroup", "SpiloNodeSecurityGroup"),
                "SpiloNodeSecurityGroup:8008-8008", Set.of("LoadBalancerSecurityGroup", "SpiloNodeSecurityGroup"),
                "EtcdSecurityGroup:2379-2379", Set.of("SpiloNodeSecurityGroup", "EtcdSecurityGroup"),
                "EtcdSecurityGroup:2380-2380", Set.of("EtcdSecurityGroup")));
    }

    private static String ref(Object value) {
        return value instanceof Map<?, ?> map && map.get("Ref") != null ? String.valueOf(map.get("Ref")) : String.valueOf(value);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theUserDataWritesASpiloYmlThatTheAgentAccepts(@TempDir Path directory) throws Exception {
        Map<String, Object> template = template();
        Map<String, Object> launch = (Map<String, Object>) ((Map<String, Object>) section(template, "Resources")
                .get("SpiloLaunchTemplate").get("Properties")).get("LaunchTemplateData");
        List<Object> sub = (List<Object>) ((Map<String, Object>) ((Map<String, Object>) launch.get("UserData")).get("Fn::Base64"))
                .get("Fn::Sub");
        Map<String, String> values = new LinkedHashMap<>();
        section(template, "Parameters").forEach((name, parameter) -> values.put(name, String.valueOf(parameter.getOrDefault("Default",
                "sample-" + name.toLowerCase(java.util.Locale.ROOT) + "-value"))));
        values.put("EtcdEndpoints", "10.0.0.10:2379,10.0.1.10:2379,10.0.2.10:2379");
        values.put("SpiloPackageUrl", "https://example.invalid/spilo_0.1.0_all.deb");
        String script = String.valueOf(sub.get(0));
        Matcher reference = Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(script);
        StringBuilder rendered = new StringBuilder();
        while (reference.find()) {
            String value = values.get(reference.group(1));
            assertThat(value).as("a value for ${%s}", reference.group(1)).isNotNull();
            reference.appendReplacement(rendered, Matcher.quoteReplacement(value));
        }
        reference.appendTail(rendered);
        String text = rendered.toString();
        String heredoc = text.substring(text.indexOf("<<EOF\n", text.indexOf("# spilo.yml begin")) + 6, text.indexOf("\nEOF\n"));
        String yaml = heredoc.replace("$INSTANCE_ID", "i-0123456789abcdef0").replace("$LOCAL_IP", "10.0.1.21");
        assertThat(yaml).doesNotContain("$");
        Path file = directory.resolve("spilo.yml");
        Files.writeString(file, yaml);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = io.spilo.cli.Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "agent", "--validate", "-c", file.toString());
        assertThat(exit).as("spilo agent --validate: %s%s", out, err).isZero();
        assertThat(err.toString()).as("no unsupported keys").isEmpty();
        assertThat(out.toString()).contains("valid (cluster main, member i-0123456789abcdef0)");
        assertThat(text).contains("systemctl enable --now spilo-etcd-proxy.service spilo.service spilo-haproxy.service");
    }
}
