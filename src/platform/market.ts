/**
 * The 信易贷 platform's marketplace (issue #13), its public face: the enterprise's front office (register,
 * publish a need, the financial supermarket, compare and accept offers), the bank's middle office (products,
 * the claim queue, claims, offers) and the regulator's statistics. Every function takes the store and the
 * acting Principal, scopes what it reads by that principal's tenant, and audits every write in the same
 * transaction. docs/platform.md describes the workflows and the states.
 */
export { loadPlatformPolicy, parsePlatformPolicy, DEFAULT_PLATFORM_POLICY_FILE, type PlatformPolicy } from './market-policy.ts';
export {
  registerEnterprise, getRegistration, setEnterpriseRating, publishNeed, withdrawNeed, getNeed, listNeeds, listNeedQueue, riskLightOf, regionOfCreditCode,
  type NewRegistration, type EnterpriseRating, type NewNeed, type MarketOptions, type QueueItem, type QueueRequest, type NeedListRequest,
} from './needs.ts';
export { publishProduct, updateProduct, getProduct, listProducts, productServes, type NewProduct, type ProductPatch, type ProductTerms } from './products.ts';
export {
  claimNeed, declineClaim, makeOffer, acceptOffer, rejectOffer, releaseExpiredClaims, recordOfferDefault, listClaims, getClaim, listOffers, getOffer,
  type ClaimRequest, type OfferRequest, type ReleaseSummary,
} from './claims.ts';
export { financialSupermarket, type Supermarket, type SupermarketItem, type SupermarketRequest } from './supermarket.ts';
export {
  platformStatistics, bankRanking, statisticsCsv, STATISTICS_DIMENSIONS,
  type StatisticsRequest, type StatisticsRow, type StatisticsDimension, type BankRank,
} from './statistics.ts';
export type { PlatformEnterprise, PlatformProduct, PlatformNeed, PlatformClaim, PlatformOffer } from '../store/schema-platform.ts';
