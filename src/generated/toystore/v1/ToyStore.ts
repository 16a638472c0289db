// Original file: proto/toystore.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BuyRequest as _toystore_v1_BuyRequest, BuyRequest__Output as _toystore_v1_BuyRequest__Output } from '../../toystore/v1/BuyRequest.js';
import type { BuyResponse as _toystore_v1_BuyResponse, BuyResponse__Output as _toystore_v1_BuyResponse__Output } from '../../toystore/v1/BuyResponse.js';
import type { QueryRequest as _toystore_v1_QueryRequest, QueryRequest__Output as _toystore_v1_QueryRequest__Output } from '../../toystore/v1/QueryRequest.js';
import type { QueryResponse as _toystore_v1_QueryResponse, QueryResponse__Output as _toystore_v1_QueryResponse__Output } from '../../toystore/v1/QueryResponse.js';

/**
 * A store of stuffed-animal toys.
 */
export interface ToyStoreClient extends grpc.Client {
  /**
   * Buys one unit of a toy. Concurrent buys never sell more units than exist.
   */
  Buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _toystore_v1_BuyRequest, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Buys one unit of a toy. Concurrent buys never sell more units than exist.
   */
  buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _toystore_v1_BuyRequest, callback: grpc.requestCallback<_toystore_v1_BuyResponse__Output>): grpc.ClientUnaryCall;
  
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
   * Buys one unit of a toy. Concurrent buys never sell more units than exist.
   */
  Buy: grpc.handleUnaryCall<_toystore_v1_BuyRequest__Output, _toystore_v1_BuyResponse>;
  
  /**
   * Looks a toy up: its price and stock, or that it is sold out or unknown.
   */
  Query: grpc.handleUnaryCall<_toystore_v1_QueryRequest__Output, _toystore_v1_QueryResponse>;
  
}

export interface ToyStoreDefinition extends grpc.ServiceDefinition {
  Buy: MethodDefinition<_toystore_v1_BuyRequest, _toystore_v1_BuyResponse, _toystore_v1_BuyRequest__Output, _toystore_v1_BuyResponse__Output>
  Query: MethodDefinition<_toystore_v1_QueryRequest, _toystore_v1_QueryResponse, _toystore_v1_QueryRequest__Output, _toystore_v1_QueryResponse__Output>
}
