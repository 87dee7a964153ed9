// The graph as a network: links between actors, the most connected actors,
// everything known about one actor, and how much rests on which source.
// Run against fixtures/gaza_isf.cypher.

// How is Indonesia linked to Hamas (the shortest path, in any direction)?
MATCH p = shortestPath((a:Country {name: 'Indonesia'})-[*]-(b:Organization {name: 'Hamas'}))
RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS via, [r IN relationships(p) | type(r)] AS links;

// What are all the shortest links between Benjamin Netanyahu and Hamas?
MATCH p = allShortestPaths((a:Person {name: 'Benjamin Netanyahu'})-[*]-(b:Organization {name: 'Hamas'}))
RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS via, [r IN relationships(p) | type(r)] AS links
ORDER BY via, links;

// How many hops separate Mike Waltz from Hamas, and by how many shortest routes?
MATCH p = allShortestPaths((a:Person {name: 'Mike Waltz'})-[*]-(b:Organization {name: 'Hamas'}))
RETURN length(p) AS hops, count(p) AS routes
ORDER BY hops;

// Which actors (people, countries, organizations, groups) have the most relationships?
MATCH (a)-[r]-()
WHERE a:Person OR a:Country OR a:Organization OR a:Group
RETURN a.name AS actor, count(r) AS relationships
ORDER BY relationships DESC, actor
LIMIT 6;

// Which node is the hub of the whole graph?
MATCH (n)-[r]-()
RETURN n.name AS node, labels(n) AS labels, count(r) AS relationships
ORDER BY relationships DESC, node
LIMIT 3;

// What is known about Turkey, who says so, and on what evidence?
MATCH (t:Country {name: 'Turkey'})-[r]-(x)
RETURN startNode(r).name AS subject, type(r) AS relation, endNode(r).name AS object, r.source AS source, r.evidence AS evidence
ORDER BY relation, subject, object;

// What is known only from anonymous officials (no named source says the same)?
MATCH (a)-[r]->(b)
WHERE r.source IN ['US official', 'officials', 'three officials involved']
OPTIONAL MATCH (a)-[o]->(b)
WHERE type(o) = type(r) AND NOT o.source IN ['US official', 'officials', 'three officials involved']
WITH a, r, b, count(o) AS corroborations
WHERE corroborations = 0
RETURN r.source AS source, a.name AS subject, type(r) AS relation, b.name AS object
ORDER BY source, relation, subject, object;

// How many facts rest on each source?
MATCH ()-[r]->()
RETURN r.source AS source, count(r) AS facts
ORDER BY facts DESC, source;

// Which nodes does the article also call by other names?
MATCH (n)
WHERE n.aliases IS NOT NULL
RETURN n.name AS name, n.aliases AS aliases
ORDER BY name;
