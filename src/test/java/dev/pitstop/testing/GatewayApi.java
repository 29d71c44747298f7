package dev.pitstop.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.UncheckedIOException;

/** The Gateway API's HTTPRoute CRD and a sample route {@code shop}, for the in-memory server. */
public final class GatewayApi {
  public static final ResourceDefinitionContext ROUTES =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind("HTTPRoute")
          .withPlural("httproutes")
          .withNamespaced(true)
          .build();

  /**
   * Rule 0 splits traffic between the app and a canary (with a per-backend filter and an explicit
   * group and kind), rule 1 only redirects, rule 2 sends to another namespace's Service.
   */
  public static final String ROUTE =
      """
      {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
       "metadata": {"name": "shop", "labels": {"app": "shop"}},
       "spec": {
         "parentRefs": [{"name": "public", "namespace": "gateways", "sectionName": "https"}],
         "hostnames": ["shop.example.com"],
         "rules": [
           {"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
            "backendRefs": [
              {"name": "shop-web", "port": 8080, "weight": 90},
              {"group": "", "kind": "Service", "name": "shop-web-canary", "port": 8080,
               "weight": 10,
               "filters": [{"type": "RequestHeaderModifier",
                            "requestHeaderModifier": {"add": [{"name": "x-canary", "value": "1"}]}}]}
            ]},
           {"matches": [{"path": {"type": "PathPrefix", "value": "/old"}}],
            "filters": [{"type": "RequestRedirect",
                         "requestRedirect": {"path": {"type": "ReplaceFullPath",
                                                      "replaceFullPath": "/"}}}]},
           {"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
            "timeouts": {"request": "10s"},
            "backendRefs": [{"name": "orders", "namespace": "orders", "port": 9090}]}
         ]}}
      """;

  private GatewayApi() {}

  /** Registers the HTTPRoute CRD, so discovery serves it, and creates {@link #ROUTE}. */
  public static void install(KubernetesClient client, String namespace) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName("httproutes.gateway.networking.k8s.io")
                .endMetadata()
                .withNewSpec()
                .withGroup("gateway.networking.k8s.io")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("HTTPRoute")
                .withPlural("httproutes")
                .withSingular("httproute")
                .withListKind("HTTPRouteList")
                .endNames()
                .addNewVersion()
                .withName("v1")
                .withServed(true)
                .withStorage(true)
                .endVersion()
                .endSpec()
                .build())
        .create();
    try {
      client
          .genericKubernetesResources(ROUTES)
          .inNamespace(namespace)
          .resource(new ObjectMapper().readValue(ROUTE, GenericKubernetesResource.class))
          .create();
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
