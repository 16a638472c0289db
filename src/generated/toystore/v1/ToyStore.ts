// Original file: proto/toystore.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BuyRequest as _toystore_v1_BuyRequest, BuyRequest__Output as _toystore_v1_BuyRequest__Output } from '../../toystore/v1/BuyRequest.js';
import type { BuyResponse as _toystore_v1_BuyResponse, BuyResponse__Output as _toystore_v1_BuyResponse__Output } from '../../toystore/v1/BuyResponse.js';
import type { GetOrderRequest as _toystore_v1_GetOrderRequest, GetOrderRequest__Output as _toystore_v1_GetOrderRequest__Output } from '../../toystore/v1/GetOrderRequest.js';
import type { GetOrderResponse as _toystore_v1_GetOrderResponse, GetOrderResponse__Output as _toystore_v1_GetOrderResponse__Output } from '../../toystore/v1/GetOrderResponse.js';
import type { ListToysRequest as _toystore_v1_ListToysRequest, ListToysRequest__Output as _toystore_v1_ListToysRequest__Output } from '../../toystore/v1/ListToysRequest.js';
import type { ListToysResponse as _toystore_v1_ListToysResponse, ListToysResponse__Output as _toystore_v1_ListToysResponse__Output } from '../../toystore/v1/ListToysResponse.js';
import type { QueryRequest as _toystore_v1_QueryRequest, QueryRequest__Output as _toystore_v1_QueryRequest__Output } from '../../toystore/v1/QueryRequest.js';
import type { QueryResponse as _toystore_v1_QueryResponse, QueryResponse__Output as _toystore_v1_QueryResponse__Output } from '../../toystore/v1/QueryResponse.js';

/**
 * A store of stuffed-animal toys.
 */
export interface ToyStoreClient extends grpc.Client {
  /**
   * Buys units of a toy, one by default, all or nothing. Concurrent buys never
   * sell more units than exist.
   */
  Buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Buys units of a toy, one by default, all or nothing. Concurrent buys never
   * sell more units than exist.
   */
  buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Looks up the order a Buy recorded, by its order_id.
   */
  GetOrder(argument: _toystore_v1_GetOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _toystore_v1_GetOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _toystore_v1_GetOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  GetOrder(argument: _toystore_v1_GetOrderRequest, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Looks up the order a Buy recorded, by its order_id.
   */
  getOrder(argument: _toystore_v1_GetOrderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _toystore_v1_GetOrderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _toystore_v1_GetOrderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  getOrder(argument: _toystore_v1_GetOrderRequest, callback: grpc.requestCallback<_toystore_v1_GetOrderResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists the whole catalog, in catalog order: one consistent snapshot.
   */
  ListToys(argument: _toystore_v1_ListToysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  ListToys(argument: _toystore_v1_ListToysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  ListToys(argument: _toystore_v1_ListToysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  ListToys(argument: _toystore_v1_ListToysRequest, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists the whole catalog, in catalog order: one consistent snapshot.
   */
  listToys(argument: _toystore_v1_ListToysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  listToys(argument: _toystore_v1_ListToysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  listToys(argument: _toystore_v1_ListToysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  listToys(argument: _toystore_v1_ListToysRequest, callback: grpc.requestCallback<_toystore_v1_ListToysResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Looks a toy up: its price and stock, or that it is sold out or unknown.
   */
  Query(argument: _toystore_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _toystore_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _toystore_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  Query(argument: _toystore_v1_QueryRequest, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Looks a toy up: its price and stock, or that it is sold out or unknown.
   */
  query(argument: _toystore_v1_QueryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _toystore_v1_QueryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _toystore_v1_QueryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  query(argument: _toystore_v1_QueryRequest, callback: grpc.requestCallback<_toystore_v1_QueryResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * A store of stuffed-animal toys.
 */
export interface ToyStoreHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Buys units of a toy, one by default, all or nothing. Concurrent buys never
   * sell more units than exist.
   */
  Buy: grpc.handleUnaryCall<_toystore_v1_BuyRequest__Output, _toystore_v1_BuyResponse>;
  
  /**
   * Looks up the order a Buy recorded, by its order_id.
   */
  GetOrder: grpc.handleUnaryCall<_toystore_v1_GetOrderRequest__Output, _toystore_v1_GetOrderResponse>;
  
  /**
   * Lists the whole catalog, in catalog order: one consistent snapshot.
   */
  ListToys: grpc.handleUnaryCall<_toystore_v1_ListToysRequest__Output, _toystore_v1_ListToysResponse>;
  
  /**
   * Looks a toy up: its price and stock, or that it is sold out or unknown.
   */
  Query: grpc.handleUnaryCall<_toystore_v1_QueryRequest__Output, _toystore_v1_QueryResponse>;
  
}

export interface ToyStoreDefinition extends grpc.ServiceDefinition {
  Buy: MethodDefinition<_toystore_v1_BuyRequest, _toystore_v1_BuyResponse, _toystore_v1_BuyRequest__Output, _toystore_v1_BuyResponse__Output>
  GetOrder: MethodDefinition<_toystore_v1_GetOrderRequest, _toystore_v1_GetOrderResponse, _toystore_v1_GetOrderRequest__Output, _toystore_v1_GetOrderResponse__Output>
  ListToys: MethodDefinition<_toystore_v1_ListToysRequest, _toystore_v1_ListToysResponse, _toystore_v1_ListToysRequest__Output, _toystore_v1_ListToysResponse__Output>
  Query: MethodDefinition<_toystore_v1_QueryRequest, _toystore_v1_QueryResponse, _toystore_v1_QueryRequest__Output, _toystore_v1_QueryResponse__Output>
}
