// The graph analysed with the algo.* procedures: who is central, who brokers,
// which camps form, and how far the parties stand from each other.
// Run against fixtures/gaza_isf.cypher. The article's relationships have
// directions of grammar more than of influence ("X objects to Y"), so most
// questions follow them both ways (orientation: 'UNDIRECTED').

// Which nodes carry the most weight in the whole graph (PageRank, relationships taken both ways)?
CALL algo.pageRank({orientation: 'UNDIRECTED'}) YIELD node, score
RETURN node.name AS node, labels(node) AS labels, round(score, 3) AS pagerank
ORDER BY pagerank DESC, node
LIMIT 6;

// Which actors do the reported relations point at most (PageRank along their direction)?
CALL algo.pageRank() YIELD node, score
WHERE node:Person OR node:Country OR node:Organization OR node:Group
RETURN node.name AS actor, round(score, 3) AS pagerank
ORDER BY pagerank DESC, actor
LIMIT 6;

// Which nodes are the brokers, lying on the most shortest paths between others (betweenness)?
CALL algo.betweenness({orientation: 'UNDIRECTED'}) YIELD node, score
WHERE score > 0
RETURN node.name AS broker, round(score, 3) AS betweenness
ORDER BY betweenness DESC, broker
LIMIT 6;

// Which actors broker between the others (betweenness over the whole graph, actors only)?
CALL algo.betweenness({orientation: 'UNDIRECTED'}) YIELD node, score
WHERE (node:Person OR node:Country OR node:Organization OR node:Group) AND score > 0
RETURN node.name AS actor, round(score, 3) AS betweenness
ORDER BY betweenness DESC, actor;

// Who reaches everyone else in the fewest steps (closeness, both ways)?
CALL algo.closeness({orientation: 'UNDIRECTED'}) YIELD node, score
RETURN node.name AS node, round(score, 3) AS closeness
ORDER BY closeness DESC, node
LIMIT 5;

// Among the actors themselves (people, countries, organizations, groups), who has the most ties?
CALL algo.degree({orientation: 'UNDIRECTED', nodeLabels: ['Person', 'Country', 'Organization', 'Group']})
YIELD node, score
WHERE score > 0
RETURN node.name AS actor, toInteger(score) AS ties_to_actors
ORDER BY ties_to_actors DESC, actor;

// Which camps does the graph fall into (Louvain communities), and how clear-cut are they (modularity)?
CALL algo.louvain({orientation: 'UNDIRECTED'}) YIELD node, communityId, modularity
WITH node, communityId, modularity ORDER BY node.name
WITH communityId, round(modularity, 3) AS modularity, collect(node.name) AS members
RETURN size(members) AS size, members, modularity
ORDER BY size DESC, members[0];

// Among the actors alone, who sides with whom (Louvain on the actors' ties to each other)?
CALL algo.louvain({orientation: 'UNDIRECTED', nodeLabels: ['Person', 'Country', 'Organization', 'Group']})
YIELD node, communityId
WITH node, communityId ORDER BY node.name
WITH communityId, collect(node.name) AS camp
WHERE size(camp) > 1
RETURN camp
ORDER BY size(camp) DESC, camp[0];

// Does another method (label propagation) draw the camps of the whole graph the same way?
CALL algo.labelPropagation({orientation: 'UNDIRECTED', seed: 7}) YIELD node, communityId
WITH node, communityId ORDER BY node.name
WITH communityId, collect(node.name) AS members
RETURN size(members) AS size, members
ORDER BY size DESC, members[0];

// Which nodes are bound in both directions, each reaching the other along the relations (strongly connected)?
CALL algo.scc() YIELD node, componentId
WITH node, componentId ORDER BY node.name
WITH componentId, collect(node.name) AS members
WHERE size(members) > 1
RETURN members
ORDER BY size(members) DESC, members[0];

// Does every node belong to one connected story (weakly connected components)?
CALL algo.wcc() YIELD node, componentId
RETURN componentId, count(node) AS nodes
ORDER BY componentId;

// How far apart are Israel and Hamas, and through what (shortest path, any direction)?
MATCH (a:Country {name: 'Israel'}), (b:Organization {name: 'Hamas'})
CALL algo.dijkstra({source: a, target: b, orientation: 'UNDIRECTED'}) YIELD path, cost
RETURN toInteger(cost) AS hops, [n IN nodes(path) | n.name] AS via, [r IN relationships(path) | type(r)] AS links;

// What are the three shortest routes from the United States to Hamas (loopless, any direction)?
MATCH (a:Country {name: 'United States'}), (b:Organization {name: 'Hamas'})
CALL algo.kShortestPaths({source: a, target: b, k: 3, orientation: 'UNDIRECTED'}) YIELD path, cost
RETURN toInteger(cost) AS hops, [n IN nodes(path) | n.name] AS via
ORDER BY hops, via;

// How many hops separate each country from Hamas?
MATCH (h:Organization {name: 'Hamas'})
CALL algo.bfs({source: h, orientation: 'UNDIRECTED'}) YIELD node, depth
WHERE node:Country
RETURN node.name AS country, depth AS hops_from_hamas
ORDER BY hops_from_hamas, country;

// Which nodes form the tightest knot (the highest k-core)?
CALL algo.kcore({orientation: 'UNDIRECTED'}) YIELD node, coreness
WITH max(coreness) AS top, collect([node.name, coreness]) AS pairs
UNWIND pairs AS pair
WITH top, pair WHERE pair[1] = top
RETURN top AS coreness, pair[0] AS node
ORDER BY node;

// Which nodes close the most triangles (three nodes all tied to each other)?
CALL algo.triangleCount() YIELD node, triangles
WHERE triangles > 0
RETURN node.name AS node, triangles
ORDER BY triangles DESC, node;
