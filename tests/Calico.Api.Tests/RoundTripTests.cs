namespace Calico.Api.Tests;

[Trait("Tier", "Unit")]
public sealed class RoundTripTests
{
    /// <summary>One rich document per kind; each must survive YAML -> object -> YAML and JSON unchanged.</summary>
    public static TheoryData<string> Documents => new()
    {
        """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: pool
        spec:
          allowedUses:
          - Workload
          assignmentMode: Manual
          blockSize: 24
          cidr: 10.0.0.0/16
          disableBGPExport: true
          ipipMode: CrossSubnet
          natOutgoing: true
          nodeSelector: zone == 'a'
          vxlanMode: Never

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: IPReservation
        metadata:
          name: res
        spec:
          reservedCIDRs:
          - 10.0.0.0/30

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicy
        metadata:
          labels:
            projectcalico.org/tier: default
          name: allow-web
          namespace: prod
        spec:
          egress:
          - action: Allow
            destination:
              notPorts:
              - 1:1023
              ports:
              - 80
              - 8000:8080
              - http
            protocol: TCP
          ingress:
          - action: Allow
            icmp:
              code: 0
              type: 8
            ipVersion: 4
            protocol: ICMP
            source:
              namespaceSelector: global()
              nets:
              - 10.0.0.0/8
              notNets:
              - 10.1.0.0/16
              selector: app == 'web'
              serviceAccounts:
                names:
                - sa1
          - action: Deny
            metadata:
              annotations:
                why: test
            notProtocol: 17
          order: 100.5
          selector: all()
          serviceAccountSelector: role == 'x'
          tier: default
          types:
          - Ingress
          - Egress

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicy
        metadata:
          name: security.deny
        spec:
          applyOnForward: true
          doNotTrack: true
          ingress:
          - action: Allow
            destination:
              services:
                name: svc
                namespace: ns
            http:
              methods:
              - GET
              paths:
              - exact: /a
              - prefix: /b
            protocol: TCP
          namespaceSelector: has(x)
          order: 10
          performanceHints:
          - AssumeNeededOnEveryNode
          selector: '!has(y)'
          tier: security
          types:
          - Ingress

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: Tier
        metadata:
          name: security
        spec:
          defaultAction: Pass
          order: 100
        status: {}

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: NetworkSet
        metadata:
          labels:
            role: db
          name: ns1
          namespace: default
        spec:
          nets:
          - 10.0.0.1/32

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkSet
        metadata:
          name: gns
        spec:
          nets:
          - fd00::/64

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: Profile
        metadata:
          name: kns.web
        spec:
          egress:
          - action: Allow
          ingress:
          - action: Allow
          labelsToApply:
            pcns.projectcalico.org/name: web

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata:
          labels:
            projectcalico.org/namespace: default
          name: node1-k8s-pod-eth0
          namespace: default
        spec:
          containerID: abc123
          endpoint: eth0
          interfaceName: cali12345
          ipNATs:
          - externalIP: 1.2.3.4
            internalIP: 10.0.0.5
          ipNetworks:
          - 10.0.0.5/32
          mac: ee:ee:ee:ee:ee:ee
          node: node1
          orchestrator: k8s
          pod: pod
          ports:
          - hostIP: 0.0.0.0
            hostPort: 8080
            name: http
            port: 80
            protocol: TCP
          profiles:
          - kns.default
          qosControls:
            egressBandwidth: 1000000
            ingressPacketRate: 100
          serviceAccountName: default

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: HostEndpoint
        metadata:
          name: node1-eth0
        spec:
          expectedIPs:
          - 192.168.0.1
          interfaceName: eth0
          node: node1
          ports:
          - name: ssh
            port: 22
            protocol: TCP
          profiles:
          - projectcalico-default-allow

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata:
          name: node1
        spec:
          addresses:
          - address: 192.168.0.1/24
            type: CalicoNodeIP
          bgp:
            asNumber: 64512
            ipv4Address: 192.168.0.1/24
            ipv4IPIPTunnelAddr: 10.0.0.1
            routeReflectorClusterID: 224.0.0.1
          ipv4VXLANTunnelAddr: 10.0.0.2
          orchRefs:
          - nodeName: node1
            orchestrator: k8s
          vxlanTunnelMACAddr: 66:aa:bb:cc:dd:ee
        status:
          podCIDRs:
          - 10.0.0.0/24
          wireguardPublicKey: abc=

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: default
        spec:
          bpfEnabled: false
          bpfLogLevel: ""
          defaultEndpointToHostAction: Return
          failsafeInboundHostPorts: []
          failsafeOutboundHostPorts:
          - port: 53
            protocol: UDP
          - net: 10.0.0.0/8
            port: 22
            protocol: TCP
          healthPort: 9099
          interfacePrefix: cali
          iptablesRefreshInterval: 1m30s
          kubeNodePortRanges:
          - 30000:32767
          logSeverityScreen: Info
          reportingInterval: 0s
          routeTableRanges:
          - max: 250
            min: 1
          vxlanVNI: 4096

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 64512
          communities:
          - name: c1
            value: 65001:100
          listenPort: 179
          logSeverityScreen: Info
          nodeToNodeMeshEnabled: false
          prefixAdvertisements:
          - cidr: 10.0.0.0/8
            communities:
            - c1
          serviceClusterIPs:
          - cidr: 10.96.0.0/12

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: rr
        spec:
          asNumber: 64513
          keepaliveTime: 30s
          nodeSelector: rr == 'true'
          password:
            secretKeyRef:
              key: pw
              name: bgp
          peerIP: 10.0.0.1:179
          sourceAddress: None

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: ClusterInformation
        metadata:
          name: default
        spec:
          calicoVersion: v3.30.0
          clusterGUID: 1a2b3c
          clusterType: k8s,bgp
          datastoreReady: true

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: IPAMConfiguration
        metadata:
          name: default
        spec:
          autoAllocateBlocks: true
          maxBlocksPerHost: 4
          strictAffinity: false

        """,
        """
        apiVersion: projectcalico.org/v3
        kind: KubeControllersConfiguration
        metadata:
          name: default
        spec:
          controllers:
            node:
              hostEndpoint:
                autoCreate: Disabled
              leakGracePeriod: 15m0s
              reconcilerPeriod: 5m0s
              syncLabels: Enabled
            policy:
              reconcilerPeriod: 5m0s
          etcdV3CompactionPeriod: 10m0s
          healthChecks: Enabled
          logSeverityScreen: Info
          prometheusMetricsPort: 9094
        status:
          environmentVars:
            DATASTORE_TYPE: etcdv3

        """,
        """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: k
          namespace: ns
        spec:
          egress:
          - ports:
            - endPort: 90
              port: 80
              protocol: TCP
            to:
            - ipBlock:
                cidr: 10.0.0.0/8
                except:
                - 10.1.0.0/16
          ingress:
          - from:
            - namespaceSelector:
                matchExpressions:
                - key: a
                  operator: In
                  values:
                  - b
              podSelector:
                matchLabels:
                  app: x
            ports:
            - port: http
          podSelector: {}
          policyTypes:
          - Ingress
          - Egress

        """,
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          labels:
            kubernetes.io/metadata.name: web
          name: web
        spec: {}
        status:
          phase: Active

        """,
    };

    private static string WithNullTimestamp(string yaml)
    {
        // Go prints an unset metav1.Time as null; the documents above leave it out for readability.
        var i = yaml.IndexOf("metadata:\n", StringComparison.Ordinal) + "metadata:\n".Length;
        return yaml.Insert(i, "  creationTimestamp: null\n");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Yaml_DecodeThenEncode_IsUnchanged(string yaml)
    {
        var resource = Assert.Single(ResourceCodec.Decode(yaml));

        Assert.Equal(WithNullTimestamp(yaml), ResourceCodec.ToYaml(resource));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Json_EncodeThenDecode_IsUnchanged(string yaml)
    {
        var resource = Assert.Single(ResourceCodec.Decode(yaml));
        var json = ResourceCodec.ToJson(resource);

        var again = Assert.Single(ResourceCodec.Decode(json));

        Assert.Equal(json, ResourceCodec.ToJson(again));
        Assert.Equal(ResourceCodec.ToStorageJson(resource), ResourceCodec.ToStorageJson(ResourceCodec.FromStorageJson(ResourceKinds.Of(resource), ResourceCodec.ToStorageJson(resource))));
    }
}
