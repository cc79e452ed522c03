//! The container: walks the module tree, checks that every dependency is visible where it is
//! needed (own providers, and what imported modules export), finds cycles, and builds each
//! provider once, dependencies first.

use std::any::TypeId;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::module::{Construct, Injectable, Instance, ModuleDef, ProviderDef, Scope, TypeKey};
use crate::error::{BoxError, StartupError};

/// Gives a provider under construction its dependencies (built before it).
pub struct Resolver<'a> {
    built: &'a HashMap<TypeId, Instance>,
    wanted_by: &'static str,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(built: &'a HashMap<TypeId, Instance>, wanted_by: &'static str) -> Self {
        Resolver { built, wanted_by }
    }

    /// The singleton of `T`, if one was built (an optional dependency).
    pub fn get_optional<T: Injectable>(&self) -> Option<Arc<T>> {
        self.any_optional::<T>()
    }

    /// The singleton of `T`. `T: Injectable` keeps `#[injectable]` fields checked at compile
    /// time: an `Arc<T>` field of a type that is no provider does not compile.
    pub fn get<T: Injectable>(&self) -> Result<Arc<T>, StartupError> {
        self.any::<T>()
    }

    /// [`get_optional`](Self::get_optional) for any type (factories' dependencies may be
    /// values of other crates' types).
    pub(crate) fn any_optional<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.built
            .get(&TypeId::of::<T>())
            .and_then(|i| i.clone().downcast::<T>().ok())
    }

    /// [`get`](Self::get) for any type.
    pub(crate) fn any<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, StartupError> {
        let key = TypeKey::of::<T>();
        self.built
            .get(&key.id)
            .and_then(|i| i.clone().downcast::<T>().ok())
            .ok_or_else(|| StartupError::ProviderInit {
                provider: self.wanted_by,
                source: format!(
                    "{} was not built before it (its dependencies() and construct() disagree)",
                    key.name
                )
                .into(),
            })
    }
}

struct ModuleNode<G> {
    key: TypeKey,
    path: String,
    imports: Vec<usize>,
    exports: Vec<TypeKey>,
    providers: Vec<ProviderDef<G>>,
}

/// Builds one instance of a socket-scoped provider.
type ScopedConstruct = fn(&Resolver<'_>) -> Result<Instance, StartupError>;

/// Builds the value that replaces a provider (testing).
pub(crate) type Factory = Box<dyn FnOnce() -> Result<Instance, BoxError> + Send>;

/// What a test replaces before the container is built: providers (by a value of the same
/// type, or a factory of one) and enhancers (by another value, or by nothing). Every entry
/// must be used, or start-up fails naming it: an override of a type the module does not
/// have is a mistake, not a no-op.
#[derive(Default)]
pub(crate) struct Overrides {
    pub providers: HashMap<TypeId, (TypeKey, Factory)>,
    /// `None`: the enhancer is disabled. `Some`: what the pipeline layer resolves it to.
    pub enhancers: HashMap<TypeId, (TypeKey, Option<Instance>)>,
}

/// The built providers, by type, independent of the adapter: what enhancers (guards, pipes)
/// are resolved from. An `#[injectable]` type that no module lists is built on first use from
/// the providers it needs, once.
pub struct Registry {
    instances: HashMap<TypeId, Instance>,
    /// Socket-scoped providers: how to build one (from the singletons).
    scoped: HashMap<TypeId, (&'static str, ScopedConstruct)>,
    unlisted: Mutex<HashMap<TypeId, Instance>>,
    /// Enhancers replaced by a test, and which of them were looked up.
    replaced: HashMap<TypeId, (TypeKey, Option<Instance>)>,
    looked_up: Mutex<HashSet<TypeId>>,
}

impl Registry {
    /// Whether some provider is socket-scoped (sockets then carry the registry).
    pub(crate) fn has_scoped(&self) -> bool {
        !self.scoped.is_empty()
    }

    /// A new instance of the socket-scoped provider `T`; `None` when `T` is not one.
    pub(crate) fn build_scoped<T: Injectable>(&self) -> Option<Result<Arc<T>, StartupError>> {
        let (name, construct) = self.scoped.get(&TypeId::of::<T>())?;
        let made = construct(&Resolver::new(&self.instances, name)).and_then(|i| {
            i.downcast::<T>().map_err(|_| StartupError::ProviderInit {
                provider: name,
                source: "built as another type".into(),
            })
        });
        Some(made)
    }

    /// The singleton of `T`, if some module provides it.
    pub(crate) fn provider<T: Injectable>(&self) -> Option<Arc<T>> {
        self.instances
            .get(&TypeId::of::<T>())?
            .clone()
            .downcast()
            .ok()
    }

    /// What a test put in place of enhancer `id`: `None` when nothing replaces it,
    /// `Some(None)` when it is disabled.
    pub(crate) fn replacement(&self, id: TypeId) -> Option<Option<Instance>> {
        let (_, with) = self.replaced.get(&id)?;
        self.looked_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id);
        Some(with.clone())
    }

    /// The replaced enhancers that nothing binds (a mistake in the test).
    pub(crate) fn unused_replacements(&self) -> Vec<&'static str> {
        let looked_up = self.looked_up.lock().unwrap_or_else(|e| e.into_inner());
        let mut unused: Vec<&'static str> = self
            .replaced
            .iter()
            .filter(|(id, _)| !looked_up.contains(id))
            .map(|(_, (key, _))| key.name)
            .collect();
        unused.sort_unstable();
        unused
    }

    /// The singleton of `T`: a provider, or an unlisted `#[injectable]` built now.
    pub fn instance<T: Injectable>(&self) -> Result<Arc<T>, StartupError> {
        let id = TypeId::of::<T>();
        if let Some(i) = self
            .instances
            .get(&id)
            .and_then(|i| i.clone().downcast::<T>().ok())
        {
            return Ok(i);
        }
        let mut unlisted = self.unlisted.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = unlisted
            .get(&id)
            .and_then(|i| i.clone().downcast::<T>().ok())
        {
            return Ok(i);
        }
        let name = TypeKey::of::<T>().name;
        for (index, dep) in T::dependencies().into_iter().enumerate() {
            if !self.instances.contains_key(&dep.key.id) {
                return Err(StartupError::MissingProvider {
                    provider: name,
                    dependency: dep.key.name,
                    field: dep.field,
                    index,
                    module: "application",
                    path: "(an enhancer listed in no module: its dependencies must be providers of some module)".into(),
                });
            }
        }
        let built = Arc::new(T::construct(&Resolver {
            built: &self.instances,
            wanted_by: name,
        })?);
        unlisted.insert(id, built.clone());
        Ok(built)
    }
}

/// Every provider of an application, built.
pub struct Container<G> {
    registry: Arc<Registry>,
    /// The providers in construction order, with the module that lists them.
    providers: Vec<(ProviderDef<G>, Instance, &'static str)>,
}

impl<G> Container<G> {
    /// Builds every provider reachable from the root module.
    #[cfg(test)]
    pub async fn build(root: ModuleDef<G>) -> Result<Self, StartupError> {
        Self::build_with(root, Vec::new(), Overrides::default()).await
    }

    /// Builds every provider reachable from the root module, and the `provided` ones (values
    /// and factories the application gives, visible to every module), with some providers
    /// and enhancers replaced. First a plan (visibility, cycles, order), then the
    /// construction in that order, awaiting the asynchronous factories.
    pub(crate) async fn build_with(
        root: ModuleDef<G>,
        provided: Vec<ProviderDef<G>>,
        mut overrides: Overrides,
    ) -> Result<Self, StartupError> {
        let root_name = root.key.name;
        let mut nodes: Vec<ModuleNode<G>> = Vec::new();
        let mut index: HashMap<TypeId, usize> = HashMap::new();
        flatten(root, String::new(), &mut nodes, &mut index);
        // The application's own providers: a module every other one sees.
        let global = nodes.len();
        let global_ids: HashSet<TypeId> = provided.iter().map(|p| p.key.id).collect();
        nodes.push(ModuleNode {
            key: TypeKey {
                id: TypeId::of::<Overrides>(),
                name: "the application",
            },
            path: "the application's providers".to_owned(),
            imports: Vec::new(),
            exports: Vec::new(),
            providers: provided,
        });

        // A replaced provider is built by its replacement, without its own dependencies.
        for node in &mut nodes {
            for def in &mut node.providers {
                if let Some((_, factory)) = overrides.providers.remove(&def.key.id) {
                    def.dependencies = Vec::new;
                    def.construct = Construct::Replaced(factory);
                    // The test's value is the one instance.
                    def.scope = Scope::Singleton;
                }
            }
        }
        // Every provider was seen, so what is left replaces nothing.
        if let Some((key, _)) = overrides
            .providers
            .into_values()
            .min_by_key(|(key, _)| key.name)
        {
            return Err(StartupError::UnknownOverride {
                what: key.name,
                module: root_name,
            });
        }

        // What each module exports: its own providers, or what its imports export (re-export).
        let mut exported: Vec<HashSet<TypeId>> = vec![HashSet::new(); nodes.len()];
        // Imports come after their importer in `nodes`, so resolve from the back.
        for m in (0..global).rev() {
            let node = &nodes[m];
            for export in &node.exports {
                let own = node.providers.iter().any(|p| p.key.id == export.id);
                let reexport = node
                    .imports
                    .iter()
                    .any(|&i| exported[i].contains(&export.id));
                if !own && !reexport {
                    return Err(StartupError::UnknownExport {
                        module: node.key.name,
                        export: export.name,
                    });
                }
                exported[m].insert(export.id);
            }
        }

        // Which module owns each provider type (the first that lists it; the application's
        // own providers win, as they are given to replace nothing but to add).
        let mut owner: HashMap<TypeId, (usize, usize)> = HashMap::new();
        for (p, def) in nodes[global].providers.iter().enumerate() {
            owner.insert(def.key.id, (global, p));
        }
        for (m, node) in nodes.iter().enumerate().take(global) {
            for (p, def) in node.providers.iter().enumerate() {
                owner.entry(def.key.id).or_insert((m, p));
            }
        }
        let mut visible: Vec<HashSet<TypeId>> = nodes
            .iter()
            .map(|node| {
                let mut v: HashSet<TypeId> = node.providers.iter().map(|p| p.key.id).collect();
                for &i in &node.imports {
                    v.extend(exported[i].iter().copied());
                }
                v.extend(global_ids.iter().copied());
                v
            })
            .collect();
        // The application's own factories may use the provider of any module.
        visible[global] = owner.keys().copied().collect();

        let mut plan = Plan {
            nodes: &nodes,
            owner: &owner,
            visible: &visible,
            planned: HashSet::new(),
            order: Vec::new(),
        };
        let mut roots: Vec<(usize, usize)> = owner.values().copied().collect();
        roots.sort();
        for (m, p) in roots {
            plan.visit(m, p, &mut Vec::new())?;
        }
        let order = plan.order;

        let mut defs: HashMap<(usize, usize), ProviderDef<G>> = HashMap::new();
        let names: Vec<&'static str> = nodes.iter().map(|n| n.key.name).collect();
        for (m, node) in nodes.into_iter().enumerate() {
            for (p, def) in node.providers.into_iter().enumerate() {
                defs.insert((m, p), def);
            }
        }
        let mut built: HashMap<TypeId, Instance> = HashMap::new();
        let mut scoped = HashMap::new();
        let mut providers = Vec::with_capacity(order.len());
        for (m, p) in order {
            let Some(mut def) = defs.remove(&(m, p)) else {
                continue;
            };
            if def.scope == Scope::Socket {
                // Built per socket, on first use.
                if let Construct::Sync(construct) = def.construct {
                    scoped.insert(def.key.id, (def.key.name, construct));
                }
                continue;
            }
            let construct = std::mem::replace(&mut def.construct, Construct::Taken);
            let instance = construct.run(def.key.name, &built).await?;
            built.insert(def.key.id, instance.clone());
            providers.push((def, instance, names[m]));
        }
        let registry = Registry {
            instances: built,
            scoped,
            unlisted: Mutex::default(),
            replaced: overrides.enhancers,
            looked_up: Mutex::default(),
        };
        Ok(Container {
            registry: Arc::new(registry),
            providers,
        })
    }

    /// The singleton of `T`, if some module provides it.
    pub fn get<T: Injectable>(&self) -> Option<Arc<T>> {
        self.registry.provider::<T>()
    }

    /// The providers by type, for resolving enhancers.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The providers by type, to keep after the container is gone.
    pub(crate) fn shared_registry(&self) -> Arc<Registry> {
        self.registry.clone()
    }

    /// The providers in construction order (dependencies first), with their module's name.
    pub fn providers(&self) -> impl Iterator<Item = (&ProviderDef<G>, &Instance, &'static str)> {
        self.providers.iter().map(|(d, i, m)| (d, i, *m))
    }
}

fn flatten<G>(
    def: ModuleDef<G>,
    parent_path: String,
    nodes: &mut Vec<ModuleNode<G>>,
    index: &mut HashMap<TypeId, usize>,
) -> usize {
    if let Some(&i) = index.get(&def.key.id) {
        return i;
    }
    let path = if parent_path.is_empty() {
        def.key.name.to_owned()
    } else {
        format!("{parent_path} > {}", def.key.name)
    };
    let me = nodes.len();
    index.insert(def.key.id, me);
    nodes.push(ModuleNode {
        key: def.key,
        path: path.clone(),
        imports: Vec::new(),
        exports: def.exports,
        providers: def.providers,
    });
    let imports = def
        .imports
        .iter()
        .map(|import| flatten(import(), path.clone(), nodes, index))
        .collect();
    nodes[me].imports = imports;
    me
}

/// The order in which to build the providers: dependencies first, each once, checked for
/// visibility and cycles.
struct Plan<'a, G> {
    nodes: &'a [ModuleNode<G>],
    owner: &'a HashMap<TypeId, (usize, usize)>,
    visible: &'a [HashSet<TypeId>],
    planned: HashSet<TypeId>,
    order: Vec<(usize, usize)>,
}

impl<G> Plan<'_, G> {
    fn visit(&mut self, m: usize, p: usize, stack: &mut Vec<TypeKey>) -> Result<(), StartupError> {
        let def = &self.nodes[m].providers[p];
        if self.planned.contains(&def.key.id) {
            return Ok(());
        }
        if let Some(pos) = stack.iter().position(|k| k.id == def.key.id) {
            let mut cycle: Vec<&str> = stack[pos..].iter().map(|k| k.name).collect();
            cycle.push(def.key.name);
            return Err(StartupError::DependencyCycle {
                cycle: cycle.join(" -> "),
            });
        }
        stack.push(def.key);
        for (index, dep) in (def.dependencies)().into_iter().enumerate() {
            let node = &self.nodes[m];
            let found = self.visible[m]
                .contains(&dep.key.id)
                .then(|| self.owner.get(&dep.key.id))
                .flatten();
            let Some(&(dm, dp)) = found else {
                if dep.optional {
                    continue;
                }
                return Err(StartupError::MissingProvider {
                    provider: def.key.name,
                    dependency: dep.key.name,
                    field: dep.field,
                    index,
                    module: node.key.name,
                    path: node.path.clone(),
                });
            };
            if self.nodes[dm].providers[dp].scope == Scope::Socket {
                let reason = match def.scope {
                    Scope::Singleton => format!(
                        "it is a singleton, and {} is socket-scoped (one per socket): a singleton cannot hold one; make {0} a singleton, or take it in handlers with Scoped<{0}>",
                        dep.key.name
                    ),
                    Scope::Socket => format!(
                        "{} is socket-scoped too: a socket-scoped provider depends on singletons only",
                        dep.key.name
                    ),
                };
                return Err(StartupError::Scope {
                    provider: def.key.name,
                    reason,
                });
            }
            self.visit(dm, dp, stack)?;
        }
        if def.scope == Scope::Socket && def.gateway.is_some() {
            return Err(StartupError::Scope {
                provider: def.key.name,
                reason: "a gateway is a singleton; it cannot be socket-scoped".to_owned(),
            });
        }
        stack.pop();
        self.planned.insert(def.key.id);
        self.order.push((m, p));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(dead_code)] // providers whose fields exist only to be injected
    use std::sync::Arc;

    use socketioxide::adapter::LocalAdapter;

    use super::Container;
    use crate::Module;
    use crate::error::StartupError;
    use crate::gateway::GatewayDef;
    use crate::{injectable, module};

    #[injectable]
    struct Config;

    #[injectable]
    struct Repo {
        config: Arc<Config>,
    }

    #[injectable]
    struct Service {
        repo: Arc<Repo>,
    }

    fn build<M: Module>() -> Result<Container<GatewayDef<LocalAdapter>>, StartupError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        runtime.block_on(Container::build(M::definition::<LocalAdapter>()))
    }

    #[module(providers = [Service, Repo, Config])]
    struct Flat;

    #[test]
    fn builds_dependencies_first_and_once() {
        let c = build::<Flat>().expect("builds");
        let service = c.get::<Service>().expect("service");
        let repo = c.get::<Repo>().expect("repo");
        assert!(Arc::ptr_eq(&service.repo, &repo), "one singleton per type");
        assert!(Arc::ptr_eq(
            &repo.config,
            &c.get::<Config>().expect("config")
        ));
        let order: Vec<&str> = c.providers().map(|(d, _, _)| d.key.name).collect();
        assert_eq!(order, ["Config", "Repo", "Service"]);
    }

    #[module(providers = [Service, Repo])]
    struct Missing;

    #[test]
    fn missing_provider_names_type_field_module_and_path() {
        let err = build::<Missing>().err().expect("fails").to_string();
        assert!(err.starts_with("can't resolve dependencies of Repo: Config (field `config`, index [0]) is not available in the Missing context (module path: Missing)"), "{err}");
    }

    #[injectable]
    struct Ping {
        pong: Arc<Pong>,
    }
    #[injectable]
    struct Pong {
        ping: Arc<Ping>,
    }
    #[module(providers = [Ping, Pong])]
    struct Cycle;

    #[test]
    fn cycle_is_named() {
        let err = build::<Cycle>().err().expect("fails");
        assert!(
            matches!(&err, StartupError::DependencyCycle { cycle } if cycle == "Ping -> Pong -> Ping"),
            "{err}"
        );
    }

    #[module(providers = [Config, Repo], exports = [Repo])]
    struct DataModule;

    #[module(imports = [DataModule], providers = [Service])]
    struct UsesExport;

    #[test]
    fn exported_providers_are_visible_to_importers() {
        let c = build::<UsesExport>().expect("builds");
        assert!(c.get::<Service>().is_some());
    }

    #[injectable]
    struct NeedsConfig {
        config: Arc<Config>,
    }
    #[module(imports = [DataModule], providers = [NeedsConfig])]
    struct UsesPrivate;

    #[test]
    fn unexported_providers_are_not_visible() {
        let err = build::<UsesPrivate>().err().expect("fails").to_string();
        assert!(err.contains("NeedsConfig: Config (field `config`, index [0]) is not available in the UsesPrivate context"), "{err}");
    }

    #[module(imports = [DataModule], exports = [Repo])]
    struct ReExport;
    #[module(imports = [ReExport], providers = [Service])]
    struct UsesReExport;

    #[test]
    fn re_exports_pass_through() {
        assert!(
            build::<UsesReExport>()
                .expect("builds")
                .get::<Repo>()
                .is_some()
        );
    }

    #[module(imports = [DataModule], exports = [Service])]
    struct BadExport;

    #[test]
    fn exporting_what_a_module_does_not_have_fails() {
        let err = build::<BadExport>().err().expect("fails");
        assert!(
            matches!(
                err,
                StartupError::UnknownExport {
                    module: "BadExport",
                    export: "Service"
                }
            ),
            "{err}"
        );
    }

    #[module(imports = [UsesPrivate])]
    struct Outer;

    #[test]
    fn the_module_path_goes_through_imports() {
        let err = build::<Outer>().err().expect("fails").to_string();
        assert!(err.contains("(module path: Outer > UsesPrivate)"), "{err}");
    }
}
