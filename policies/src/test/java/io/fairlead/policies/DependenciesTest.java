package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DependenciesTest {

  @Test
  void readsTheThreeFormsAndMergesDuplicates() {
    Dependencies d = Dependencies.parse(" shop/cart, payments/*,web ,shop/cart,");
    assertThat(d.services()).containsExactly(new ObjectRef("shop", "cart"));
    assertThat(d.namespaces()).containsExactly("payments");
    assertThat(d.ownNamespaceServices()).containsExactly("web");
    assertThat(d.rejected()).isEmpty();
    assertThat(d.describe()).isEqualTo("shop/cart,web,payments/*");
  }

  @Test
  void aBadEntryIsLeftOutAndTheRestApply() {
    Dependencies d = Dependencies.parse("shop/cart,Shop/x,a/b/c,*/*,/x,y/,ok");
    assertThat(d.services()).containsExactly(new ObjectRef("shop", "cart"));
    assertThat(d.ownNamespaceServices()).containsExactly("ok");
    assertThat(d.rejected())
        .extracting(Dependencies.Rejected::entry)
        .containsExactly("Shop/x", "a/b/c", "*/*", "/x", "y/");
    assertThat(d.rejected().get(0).reason()).contains("namespace").contains("DNS label");
  }

  @Test
  void onlyBadEntriesAdmitNothingRatherThanEverything() {
    Dependencies d = Dependencies.parse("NOPE,also bad");
    assertThat(d.rejected()).hasSize(2);
    assertThat(d.admits(new ObjectRef("shop", "cart"), Optional.of("shop"))).isFalse();
  }

  @Test
  void admitsByNameByNamespaceAndByBareNameInTheProxysNamespace() {
    Dependencies d = Dependencies.parse("shop/cart,payments/*,web");
    assertThat(d.admits(new ObjectRef("shop", "cart"), Optional.empty())).isTrue();
    assertThat(d.admits(new ObjectRef("shop", "web"), Optional.of("shop"))).isTrue();
    assertThat(d.admits(new ObjectRef("shop", "web"), Optional.of("other"))).isFalse();
    assertThat(d.admits(new ObjectRef("shop", "web"), Optional.empty())).isFalse();
    assertThat(d.admits(new ObjectRef("payments", "any"), Optional.empty())).isTrue();
    assertThat(d.admits(new ObjectRef("shop", "other"), Optional.of("shop"))).isFalse();
  }

  @Test
  void capsTheNumberOfEntries() {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i <= Dependencies.MAX_ENTRIES; i++) {
      list.append("s").append(i).append(',');
    }
    Dependencies d = Dependencies.parse(list.toString());
    assertThat(d.ownNamespaceServices()).hasSize(Dependencies.MAX_ENTRIES);
    assertThat(d.rejected()).hasSize(1);
  }

  @Test
  void theRegistryKeyRefusesAListWithABadEntry() {
    assertThat(AnnotationRegistry.POD_DEPENDENCIES.parse("shop/cart,web"))
        .isInstanceOf(ParseResult.Ok.class);
    assertThat(AnnotationRegistry.POD_DEPENDENCIES.parse("shop/cart,Bad"))
        .isInstanceOf(ParseResult.Err.class);
    assertThat(AnnotationRegistry.podKeys()).contains(AnnotationRegistry.POD_DEPENDENCIES);
    assertThat(AnnotationRegistry.find("dependencies")).isEmpty();
  }
}
